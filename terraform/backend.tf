# State lives in a GCS bucket created once by hand (versioned, uniform access), never on a laptop.
# Backend blocks cannot read variables, so the bucket comes from the command line:
#   terraform init -backend-config="bucket=<state-bucket>"
terraform {
  backend "gcs" {
    prefix = "rhythmflow/state"
  }
}
