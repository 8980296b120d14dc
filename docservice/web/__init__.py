"""The web app: ``create_app(ctx)`` binds the services to Flask (pages, API, health)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Flask, jsonify, request
from flask_wtf.csrf import CSRFProtect
from werkzeug.middleware.proxy_fix import ProxyFix

from docservice.services.accounts import MIN_PASSWORD
from docservice.services.context import Context
from docservice.services.health import health
from docservice.web import auth, errors, i18n
from docservice.web.forms import IdConverter
from docservice.web.marks import marked, safe_snippet
from docservice.web.ui import query_links

FORM_FIELDS_SLACK = 1024 * 1024
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; "
                               "style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
}


def create_app(ctx: Context, test_config: dict[str, Any] | None = None) -> Flask:
    """A Flask app over ``ctx``; ``test_config`` overrides Flask settings (tests)."""
    from docservice.web.api import bp as api_bp
    from docservice.web.ui import bp as ui_bp

    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=ctx.settings.secret_key,
        MAX_CONTENT_LENGTH=ctx.settings.max_upload_mb * 1024 * 1024 + FORM_FIELDS_SLACK,
        WTF_CSRF_TIME_LIMIT=None,
        JSON_AS_ASCII=False,
        **auth.session_settings(ctx),
    )
    if ctx.settings.trusted_proxies:
        hops = ctx.settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops,  # type: ignore[method-assign]
                                x_host=hops)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    if test_config:
        app.config.update(test_config)
    app.extensions["docservice"] = ctx
    app.url_map.converters["id"] = IdConverter
    csrf = CSRFProtect(app)
    csrf.exempt(api_bp)  # the API checks the header itself, and only for session callers
    auth.init_app(app, ctx)
    i18n.init_app(app)
    query_links.init_app(app)
    errors.init_app(app, ctx.settings.max_upload_mb)
    app.jinja_env.filters.update(marked=marked, snippet=safe_snippet)
    app.jinja_env.globals.update(min_password=MIN_PASSWORD)
    app.register_blueprint(ui_bp)
    app.register_blueprint(api_bp)

    @app.get("/healthz")
    def healthz() -> Any:
        report = health(ctx)
        shown = asdict(report, dict_factory=lambda items: {k: v for k, v in items
                                                            if v is not None})
        return jsonify(shown), 200 if report.ok else 503

    @app.after_request
    def secure_headers(response: Any) -> Any:
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.endpoint != "static":  # pages, files and API answers are someone's
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return app
