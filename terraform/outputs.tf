output "lake_bucket" {
  description = "Lake bucket; set RHYTHMFLOW_LAKE__URI=gs://<this> for the jobs."
  value       = google_storage_bucket.lake.name
}

output "bigquery_datasets" {
  description = "Warehouse dataset ids by layer."
  value       = { for layer, dataset in google_bigquery_dataset.warehouse : layer => dataset.dataset_id }
}

output "service_accounts" {
  description = "Service account e-mail per job; bind each to its Kubernetes service account with Workload Identity."
  value       = { for job, account in google_service_account.job : job => account.email }
}

output "image_repository" {
  description = "Where to push the RhythmFlow image (docker push <this>/rhythmflow:<tag>)."
  value       = "${google_artifact_registry_repository.images.location}-docker.pkg.dev/${var.project_id}/${google_artifact_registry_repository.images.repository_id}"
}

output "network" {
  description = "VPC and subnet for the Airflow workers and Kafka."
  value       = { network = google_compute_network.vpc.id, subnet = google_compute_subnetwork.jobs.id }
}
