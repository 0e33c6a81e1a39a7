variable "project_id" {
  description = "Google Cloud project that hosts RhythmFlow."
  type        = string
}

variable "environment" {
  description = "Deployment name, used in resource names and labels (for example prod or staging)."
  type        = string
  default     = "prod"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.environment))
    error_message = "environment must be 2-21 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "region" {
  description = "Region for the bucket, the Artifact Registry repository and the network."
  type        = string
  default     = "us-central1"
}

variable "bigquery_location" {
  description = "BigQuery location of the datasets; keep it compatible with the lake bucket's region for load jobs."
  type        = string
  default     = "US"
}

variable "lake_bucket_name" {
  description = "Name of the lake bucket; defaults to <project_id>-rhythmflow-lake-<environment>."
  type        = string
  default     = null
}

variable "quarantine_retention_days" {
  description = "Days quarantined messages are kept in the lake before deletion."
  type        = number
  default     = 90
}

variable "subnet_cidr" {
  description = "Private range of the subnet that hosts the Airflow workers and Kafka clients."
  type        = string
  default     = "10.40.0.0/20"
}

variable "kafka_port" {
  description = "Port self-run Kafka brokers listen on inside the VPC."
  type        = number
  default     = 9092
}

variable "looker_studio_viewers" {
  description = "IAM members (user:, group:) allowed to read the marts from Looker Studio."
  type        = list(string)
  default     = []
}
