/**
 * RhythmFlow on Google Cloud: the lake bucket, the warehouse datasets, the image registry, one service account per
 * job with only the roles that job needs, and a private network whose only firewall rule admits Kafka traffic from
 * inside the subnet. Apply by hand after reviewing `terraform plan`; see docs/deployment.md.
 */

locals {
  lake_bucket = coalesce(var.lake_bucket_name, "${var.project_id}-rhythmflow-lake-${var.environment}")
  datasets = {
    raw     = "Conformed events loaded hourly by rhythmflow transform (partitioned by event hour)."
    staging = "dbt staging and intermediate models."
    marts   = "dbt marts read by dashboards and Looker Studio."
  }
  # One identity per job; each gets roles on single resources below, never project-wide editor roles.
  jobs = {
    landing   = "Lands Kafka batches into the lake (rhythmflow land)."
    transform = "Loads lake hours into the raw dataset (rhythmflow transform)."
    models    = "Builds the dbt models (rhythmflow model build / dbt-bigquery)."
    quality   = "Runs the Great Expectations checkpoints (rhythmflow validate)."
    dashboard = "Reads the marts for dashboards."
  }
}

resource "google_project_service" "apis" {
  for_each = toset([
    "artifactregistry.googleapis.com",
    "bigquery.googleapis.com",
    "compute.googleapis.com",
    "iam.googleapis.com",
    "storage.googleapis.com",
  ])
  service            = each.value
  disable_on_destroy = false
}

# --- Lake -------------------------------------------------------------------------------------------------------

resource "google_storage_bucket" "lake" {
  name                        = local.lake_bucket
  location                    = var.region
  storage_class               = "STANDARD"
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = false

  # The lake commit log relies on object generations; versioning keeps overwritten objects recoverable.
  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      age            = var.quarantine_retention_days
      matches_prefix = ["quarantine/"]
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 30
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

# --- Warehouse --------------------------------------------------------------------------------------------------

resource "google_bigquery_dataset" "warehouse" {
  for_each = local.datasets

  dataset_id                 = "rhythmflow_${each.key}"
  description                = each.value
  location                   = var.bigquery_location
  delete_contents_on_destroy = false

  depends_on = [google_project_service.apis]
}

# --- Images -----------------------------------------------------------------------------------------------------

resource "google_artifact_registry_repository" "images" {
  repository_id = "rhythmflow"
  location      = var.region
  format        = "DOCKER"
  description   = "The RhythmFlow image every Airflow task runs."

  depends_on = [google_project_service.apis]
}

# --- Identities -------------------------------------------------------------------------------------------------

resource "google_service_account" "job" {
  for_each = local.jobs

  account_id   = "rf-${each.key}-${var.environment}"
  display_name = "RhythmFlow ${each.key} (${var.environment})"
  description  = each.value
}

resource "google_service_account" "publisher" {
  account_id   = "rf-publisher-${var.environment}"
  display_name = "RhythmFlow image publisher (${var.environment})"
  description  = "CI identity that pushes the RhythmFlow image."
}

# Landing writes new objects and removes its own orphans after a crash; it never changes IAM.
resource "google_storage_bucket_iam_member" "landing_lake" {
  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectUser"
  member = google_service_account.job["landing"].member
}

resource "google_storage_bucket_iam_member" "lake_readers" {
  for_each = toset(["transform", "quality"])

  bucket = google_storage_bucket.lake.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.job[each.key].member
}

# Jobs run queries and loads; jobUser has no data access by itself.
resource "google_project_iam_member" "bigquery_job_user" {
  for_each = toset(["transform", "models", "quality", "dashboard"])

  project = var.project_id
  role    = "roles/bigquery.jobUser"
  member  = google_service_account.job[each.key].member
}

locals {
  dataset_grants = {
    "transform-raw-editor"   = { job = "transform", dataset = "raw", role = "roles/bigquery.dataEditor" }
    "models-raw-viewer"      = { job = "models", dataset = "raw", role = "roles/bigquery.dataViewer" }
    "models-staging-editor"  = { job = "models", dataset = "staging", role = "roles/bigquery.dataEditor" }
    "models-marts-editor"    = { job = "models", dataset = "marts", role = "roles/bigquery.dataEditor" }
    "quality-raw-viewer"     = { job = "quality", dataset = "raw", role = "roles/bigquery.dataViewer" }
    "quality-marts-viewer"   = { job = "quality", dataset = "marts", role = "roles/bigquery.dataViewer" }
    "dashboard-marts-viewer" = { job = "dashboard", dataset = "marts", role = "roles/bigquery.dataViewer" }
  }
}

resource "google_bigquery_dataset_iam_member" "job" {
  for_each = local.dataset_grants

  dataset_id = google_bigquery_dataset.warehouse[each.value.dataset].dataset_id
  role       = each.value.role
  member     = google_service_account.job[each.value.job].member
}

resource "google_bigquery_dataset_iam_member" "looker_studio" {
  for_each = toset(var.looker_studio_viewers)

  dataset_id = google_bigquery_dataset.warehouse["marts"].dataset_id
  role       = "roles/bigquery.dataViewer"
  member     = each.value
}

resource "google_artifact_registry_repository_iam_member" "job_pull" {
  for_each = local.jobs

  location   = google_artifact_registry_repository.images.location
  repository = google_artifact_registry_repository.images.name
  role       = "roles/artifactregistry.reader"
  member     = google_service_account.job[each.key].member
}

resource "google_artifact_registry_repository_iam_member" "publisher_push" {
  location   = google_artifact_registry_repository.images.location
  repository = google_artifact_registry_repository.images.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.publisher.member
}

# --- Network ----------------------------------------------------------------------------------------------------

resource "google_compute_network" "vpc" {
  name                    = "rhythmflow-${var.environment}"
  auto_create_subnetworks = false

  depends_on = [google_project_service.apis]
}

resource "google_compute_subnetwork" "jobs" {
  name                     = "rhythmflow-jobs-${var.environment}"
  network                  = google_compute_network.vpc.id
  region                   = var.region
  ip_cidr_range            = var.subnet_cidr
  private_ip_google_access = true
}

# The only ingress rule: Kafka from inside the subnet. Nothing is reachable from the internet.
resource "google_compute_firewall" "kafka_internal" {
  name          = "rhythmflow-kafka-internal-${var.environment}"
  network       = google_compute_network.vpc.name
  direction     = "INGRESS"
  source_ranges = [var.subnet_cidr]
  target_tags   = ["rhythmflow-kafka"]

  allow {
    protocol = "tcp"
    ports    = [tostring(var.kafka_port)]
  }
}
