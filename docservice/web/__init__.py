"""The web app: ``create_app(ctx)`` binds the services to Flask."""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, render_template_string, request

from docservice.domain import OPERATOR
from docservice.errors import DocserviceError
from docservice.services import search as search_service
from docservice.services.context import Context
from docservice.services.health import health

_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>docservice</title></head>
<body><h1>docservice</h1><form><input name="q" value="{{ q }}" size="50">
<button>Search</button></form>
{% if result %}<p>{{ result.total }} hit(s)</p><ol>{% for hit in result.hits %}
<li><b>{{ hit.title }}</b> v{{ hit.version }} {{ hit.filename }}
{% if hit.page %}p.{{ hit.page }}{% endif %}<br>{{ hit.snippet | safe }}</li>
{% endfor %}</ol>{% endif %}</body></html>"""


def create_app(ctx: Context, test_config: dict[str, Any] | None = None) -> Flask:
    app = Flask(__name__)
    app.config["SECRET_KEY"] = ctx.settings.secret_key
    if test_config:
        app.config.update(test_config)

    @app.errorhandler(DocserviceError)
    def on_error(exc: DocserviceError) -> Any:
        return jsonify(error={"code": exc.code, "message": exc.message}), exc.http_status

    @app.get("/healthz")
    def healthz() -> Any:
        report = health(ctx)
        return jsonify(report), 200 if report["ok"] else 503

    @app.get("/")
    def index() -> str:
        query = request.args.get("q", "").strip()
        result = search_service.search(ctx, OPERATOR, query) if query else None
        return render_template_string(_PAGE, q=query, result=result)

    return app
