"""The API docs page (Swagger UI) from this origin, with no inline script: FastAPI's
``get_swagger_ui_html`` writes its start-up code inline, which the page policy forbids."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from opcert.interfaces.web import STATIC_DIR

PAGE = (STATIC_DIR.parent / "templates" / "api_docs.html").read_text(encoding="utf-8")

router = APIRouter(include_in_schema=False)


@router.get("/docs", response_class=HTMLResponse)
def docs() -> HTMLResponse:
    return HTMLResponse(PAGE)
