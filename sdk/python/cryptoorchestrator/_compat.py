"""pydantic 1 (Debian 12's python3-pydantic) and pydantic 2 behind one small surface."""
from __future__ import annotations

from typing import Any, Dict

import pydantic
from pydantic import Field

PYDANTIC_V2 = pydantic.VERSION.startswith("2.")

__all__ = ["Field", "Model", "parse", "rebuild_all"]

if PYDANTIC_V2:  # pragma: no cover - exercised where pydantic 2 is installed
    from pydantic import ConfigDict, TypeAdapter

    class Model(pydantic.BaseModel):
        """A response object: snake_case attributes, the API's names as aliases, unknown fields kept."""

        model_config = ConfigDict(populate_by_name=True, extra="allow", protected_namespaces=())

        def to_dict(self) -> Dict[str, Any]:
            return self.model_dump(by_alias=True, exclude_none=True)

    def parse(tp: Any, data: Any) -> Any:
        if tp is None or data is None:
            return data
        return TypeAdapter(tp).validate_python(data)

    def rebuild_all(namespace: Dict[str, Any]) -> None:
        for value in list(namespace.values()):
            if isinstance(value, type) and issubclass(value, Model) and value is not Model:
                value.model_rebuild(_types_namespace=namespace)

else:
    from pydantic import parse_obj_as

    class Model(pydantic.BaseModel):  # type: ignore[no-redef]
        """A response object: snake_case attributes, the API's names as aliases, unknown fields kept."""

        class Config:
            allow_population_by_field_name = True
            extra = "allow"

        def to_dict(self) -> Dict[str, Any]:
            return self.dict(by_alias=True, exclude_none=True)

    def parse(tp: Any, data: Any) -> Any:  # type: ignore[misc]
        if tp is None or data is None:
            return data
        return parse_obj_as(tp, data)

    def rebuild_all(namespace: Dict[str, Any]) -> None:  # type: ignore[misc]
        for value in list(namespace.values()):
            if isinstance(value, type) and issubclass(value, Model) and value is not Model:
                value.update_forward_refs(**namespace)
