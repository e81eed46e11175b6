"""The catalogue of special operations (特种作业目录): categories and items.

The catalogue is versioned data, not code: each version lives in
``data/catalogue-<version>.json`` and every exam, application and certificate
records the version it used. Codes are the catalogue's own numbering: a
category is ``"1"``..``"10"`` and an item ``"<category>.<n>"``, e.g. ``"1.2"``
(低压电工作业). Category 11 ("other operations designated by the ministry") is a
legal catch-all, not an item anyone is examined in, so it is not listed.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from opcert.domain.errors import FieldError, NotFound

CURRENT_CATALOGUE_VERSION = "2018"

_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")


@dataclass(frozen=True)
class Category:
    """An operation category (作业类别), e.g. ``1`` 电工作业."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Item:
    """An operation item (操作项目), e.g. ``1.2`` 低压电工作业; certificates are per item."""

    code: str
    category_code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Catalogue:
    """One version of the catalogue, with lookups by code.

    Lookups raise ``FieldError`` (``CATEGORY_UNKNOWN`` / ``ITEM_UNKNOWN``) on
    the given field, naming the code and the catalogue version.
    """

    version: str
    categories: tuple[Category, ...]
    items: tuple[Item, ...]
    _categories: dict[str, Category] = dataclasses.field(init=False, repr=False, compare=False)
    _items: dict[str, Item] = dataclasses.field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_categories", {c.code: c for c in self.categories})
        object.__setattr__(self, "_items", {i.code: i for i in self.items})
        orphans = [i.code for i in self.items if i.category_code not in self._categories]
        if orphans or len(self._items) != len(self.items):
            raise ValueError(f"catalogue {self.version} is inconsistent: {orphans or 'dup'}")

    def item(self, code: str, field: str = "item") -> Item:
        """The item with this code."""
        found = self._items.get(code.strip())
        if found is None:
            raise FieldError(
                field,
                "ITEM_UNKNOWN",
                f"操作项目代码“{code}”不在特种作业目录（{self.version}版）中。",
                f"Operation item code '{code}' is not in the catalogue (version {self.version}).",
            )
        return found

    def category(self, code: str, field: str = "category") -> Category:
        """The category with this code."""
        found = self._categories.get(code.strip())
        if found is None:
            raise FieldError(
                field,
                "CATEGORY_UNKNOWN",
                f"作业类别代码“{code}”不在特种作业目录（{self.version}版）中。",
                f"Operation category code '{code}' is not in the catalogue "
                f"(version {self.version}).",
            )
        return found

    def category_of(self, item_code: str, field: str = "item") -> Category:
        """The category an item belongs to."""
        return self._categories[self.item(item_code, field).category_code]

    def items_in(self, category_code: str, field: str = "category") -> tuple[Item, ...]:
        """The items of a category, in catalogue order."""
        code = self.category(category_code, field).code
        return tuple(i for i in self.items if i.category_code == code)


@cache
def available_versions() -> tuple[str, ...]:
    """Catalogue versions shipped with the package, sorted."""
    data = resources.files("opcert.domain").joinpath("data")
    names = (entry.name for entry in data.iterdir())
    return tuple(
        sorted(
            n.removeprefix("catalogue-").removesuffix(".json")
            for n in names
            if n.startswith("catalogue-") and n.endswith(".json")
        )
    )


def catalogue(version: str | None = None) -> Catalogue:
    """The catalogue of ``version`` (default: the current one), loaded once.

    Raises ``NotFound`` (``CATALOGUE_UNKNOWN``) for a version not shipped.
    """
    wanted = CURRENT_CATALOGUE_VERSION if version is None else version
    if not _VERSION.match(wanted) or wanted not in available_versions():
        raise NotFound(
            "CATALOGUE_UNKNOWN",
            f"没有{wanted}版的特种作业目录。",
            f"There is no catalogue version '{wanted}'.",
        )
    return _load(wanted)


@cache
def _load(version: str) -> Catalogue:
    text = (
        resources.files("opcert.domain")
        .joinpath("data", f"catalogue-{version}.json")
        .read_text(encoding="utf-8")
    )
    return _from_json(json.loads(text))


def _from_json(doc: dict[str, Any]) -> Catalogue:
    categories: list[Category] = []
    items: list[Item] = []
    for cat in doc["categories"]:
        categories.append(Category(cat["code"], cat["name_zh"], cat["name_en"]))
        items.extend(
            Item(item["code"], cat["code"], item["name_zh"], item["name_en"])
            for item in cat["items"]
        )
    return Catalogue(str(doc["version"]), tuple(categories), tuple(items))
