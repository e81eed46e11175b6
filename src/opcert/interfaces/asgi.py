"""ASGI entry point for ``uvicorn --factory`` and several workers: each process builds its own
platform from the environment."""

from __future__ import annotations

from fastapi import FastAPI

from opcert.bootstrap import build
from opcert.interfaces.api.app import create_app


def create() -> FastAPI:
    return create_app(build())
