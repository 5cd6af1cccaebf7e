# Copy to instance/config.py and adjust. The environment (SECRET_KEY, DATABASE_URL, MAIL_*, FLASK_<KEY>)
# overrides what is set here.

# SECRET_KEY = "a long random string"
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://eservice@127.0.0.1:5432/eservice"
# RATELIMIT_STORAGE_URI = "redis://127.0.0.1:6379/0"
# MAIL_SERVER = "smtp.example.go.th"
# MAIL_PORT = 587
# MAIL_USE_TLS = True
# MAIL_USERNAME = "e-service@example.go.th"
# MAIL_PASSWORD = "..."
# MAIL_DEFAULT_SENDER = "e-Service <e-service@example.go.th>"
# MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
# REOPEN_WITHIN_DAYS = 30
