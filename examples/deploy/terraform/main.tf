# The shop's AWS resources.
resource "aws_s3_bucket" "invoices" {
  bucket = "example-shop-invoices"
}

# VULNERABLE: every invoice readable by anyone on the internet
resource "aws_s3_bucket_acl" "invoices" {
  bucket = aws_s3_bucket.invoices.id
  acl    = "public-read"
}

resource "aws_security_group" "api" {
  name = "shop-api"

  # safe: HTTPS from anywhere
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  # VULNERABLE: SSH open to the whole internet
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# VULNERABLE: the deploy role can do anything to anything
resource "aws_iam_role_policy" "deploy" {
  name = "deploy"
  role = "shop-deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}

resource "aws_db_instance" "shop" {
  engine              = "postgres"
  instance_class      = "db.t4g.micro"
  allocated_storage   = 20
  username            = "shop"
  password            = var.db_password   # safe: not in the file
  storage_encrypted   = true
  # VULNERABLE: the database answers on the internet
  publicly_accessible = true
}

variable "db_password" {
  type      = string
  sensitive = true
}
