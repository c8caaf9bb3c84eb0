"""Closed word lists as field types: a request's Dutch word arrives as the code's English word
(an enum), an answer's English word leaves as Dutch; the schema lists the Dutch words. The lists
themselves stay in `api.vocabulary`."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from api.vocabulary import Words


def _refusal(choices: tuple[str, ...]) -> PydanticCustomError:
    expected = " or ".join(f"'{word}'" for word in choices)
    return PydanticCustomError(
        "literal_error", "Input should be {expected}", {"expected": expected}
    )


@dataclass(frozen=True, eq=False)  # hashed by identity: a type annotation's metadata
class DutchIn:
    """A request field: one of `allowed` (default: every word of the list), as the English word
    (the enum of a `Words` list, the key of a mapping)."""

    words: Words[Any] | Mapping[str, str]
    allowed: tuple[str, ...] = ()

    @property
    def choices(self) -> tuple[str, ...]:
        if self.allowed:
            return self.allowed
        words = self.words
        return words.choices if isinstance(words, Words) else tuple(words.values())

    def __get_pydantic_core_schema__(self, _source: Any, _handler: GetCoreSchemaHandler) -> Any:
        choices, words = self.choices, self.words
        english_of = (
            words.english
            if isinstance(words, Words)
            else {dutch: english for english, dutch in words.items()}.__getitem__
        )

        def english(value: object) -> Any:
            if isinstance(value, str) and value in choices:
                return english_of(value)
            raise _refusal(choices)

        return core_schema.no_info_plain_validator_function(english)

    def __get_pydantic_json_schema__(self, _core: Any, _handler: GetJsonSchemaHandler) -> Any:
        return {"type": "string", "enum": list(self.choices)}


@dataclass(frozen=True, eq=False)  # hashed by identity: a type annotation's metadata
class DutchOut:
    """An answer field: the view's English word (or enum), written in Dutch."""

    dutch: Mapping[str, str]

    @classmethod
    def of(cls, words: Words[Any] | Mapping[str, str]) -> "DutchOut":
        if isinstance(words, Words):
            return cls({str(english): words.dutch(english) for english in words.members})
        return cls(dict(words))

    def __get_pydantic_core_schema__(self, _source: Any, _handler: GetCoreSchemaHandler) -> Any:
        table = self.dutch
        translate: Callable[[Any], str] = lambda value: table[str(value)]  # noqa: E731
        return core_schema.no_info_plain_validator_function(
            lambda value: value,
            serialization=core_schema.plain_serializer_function_ser_schema(translate),
        )

    def __get_pydantic_json_schema__(
        self, _core: Any, _handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "enum": list(self.dutch.values())}
