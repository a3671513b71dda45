"""Flask extensions, created unbound and wired in create_app (no import-time app)."""

from __future__ import annotations

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect

from civic.core.db import Base

# Models subclass civic.core.db.Base directly (keeping them free of Flask); share its metadata.
db = SQLAlchemy(metadata=Base.metadata)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
# Limits are declared per route; storage comes from RATELIMIT_STORAGE_URI (memory by default, Redis in production).
limiter = Limiter(key_func=get_remote_address, default_limits=[])
