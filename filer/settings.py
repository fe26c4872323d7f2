"""Settings: defaults, a TOML config file, `.env`, `SAFET_*` environment variables and command-line options."""

from __future__ import annotations

import tomllib
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from safet_filer.errors import InvalidInput
from safet_filer.flows.labels import LABELS, SiteLabels, check_overrides, labels_for

APP_NAME = "safet-filer"
DATA_DIR = Path(platformdirs.user_data_dir(APP_NAME))
DEFAULT_CONFIG_FILE = Path(platformdirs.user_config_dir(APP_NAME)) / "config.toml"


class Marketplace(BaseModel):
    """One Seller Central marketplace. Amazon changes these without notice, so each is a setting."""

    model_config = ConfigDict(extra="forbid")

    host: str
    filing_window_days: int = Field(gt=0)
    earliest_days_after_refund: int = Field(default=0, ge=0)
    description_limit: int = Field(default=1000, gt=0)
    max_attachments: int = Field(default=5, ge=0)
    max_attachment_mb: float = Field(default=10, gt=0)
    currency: str
    language: str = Field(default="en", description="The language of the site's words: which labels table is used")

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        language = value.strip().lower()
        if language not in LABELS:
            raise ValueError(f"there is no labels table for {value!r} yet (known: {', '.join(LABELS)})")
        return language

    @property
    def base_url(self) -> str:
        return f"https://{self.host}"

    @property
    def max_attachment_bytes(self) -> int:
        return int(self.max_attachment_mb * 1024 * 1024)


# Windows from ../shared/reference/seller-central-safet.md; unpublished limits (files, description) are assumed.
DEFAULT_MARKETPLACES: dict[str, dict[str, Any]] = {
    "US": {"host": "sellercentral.amazon.com", "filing_window_days": 30, "currency": "USD"},
    "CA": {"host": "sellercentral.amazon.ca", "filing_window_days": 30, "currency": "CAD"},
    "MX": {"host": "sellercentral.amazon.com.mx", "filing_window_days": 30, "currency": "MXN"},
    "UK": {"host": "sellercentral.amazon.co.uk", "filing_window_days": 60, "currency": "GBP"},
    "DE": {"host": "sellercentral.amazon.de", "filing_window_days": 60, "currency": "EUR"},
    "FR": {"host": "sellercentral.amazon.fr", "filing_window_days": 60, "currency": "EUR"},
    "IT": {"host": "sellercentral.amazon.it", "filing_window_days": 60, "currency": "EUR"},
    "ES": {"host": "sellercentral.amazon.es", "filing_window_days": 60, "currency": "EUR"},
    "IN": {"host": "sellercentral.amazon.in", "filing_window_days": 15, "currency": "INR"},
    "AE": {
        "host": "sellercentral.amazon.ae",
        "filing_window_days": 7,
        "earliest_days_after_refund": 21,
        "currency": "AED",
    },
    "BR": {"host": "sellercentral.amazon.com.br", "filing_window_days": 75, "currency": "BRL"},
}

_config_file: ContextVar[Path | None] = ContextVar("safet_config_file", default=None)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SAFET_",
        env_file=".env",
        env_nested_delimiter="__",
        extra="forbid",
    )

    marketplace: str = Field(default="US", description="Marketplace code used when the claim list names none")
    marketplaces: dict[str, Marketplace] = Field(
        default_factory=lambda: {code: Marketplace(**m) for code, m in DEFAULT_MARKETPLACES.items()},
        description="Host, filing window and limits per marketplace (a config entry overrides single keys)",
    )
    browser_executable: Path | None = Field(default=None, description="Chrome/Chromium to use; found when unset")
    profile_dir: Path = Field(
        default_factory=lambda: DATA_DIR / "profile", description="Browser profile that keeps the sign-in"
    )
    runs_dir: Path = Field(
        default_factory=lambda: DATA_DIR / "runs", description="Where each run's screenshots and report go"
    )
    ledger_path: Path = Field(
        default_factory=lambda: DATA_DIR / "ledger.sqlite3", description="The ledger of filed claims"
    )
    navigation_timeout_s: float = Field(default=30, gt=0, description="Longest wait for a page to load")
    step_timeout_s: float = Field(default=30, gt=0, description="Longest wait for a wizard step to answer")
    submit_timeout_s: float = Field(default=60, gt=0, description="Longest wait for the result after Submit")
    sign_in_timeout_s: float = Field(
        default=15 * 60, gt=0, description="Longest wait for the person to sign in in the window (login, headed runs)"
    )
    retries: int = Field(default=3, ge=1, description="Attempts for steps that are safe to repeat")
    retry_wait_s: float = Field(
        default=0.5, ge=0, description="First wait before repeating a step; it grows, with jitter, up to 16 times"
    )
    pacing_s: float = Field(
        default=20, ge=0, description="Least time between two submits on a real Seller Central host"
    )
    fill_ahead: bool = Field(
        default=True,
        description="While you review a claim, fill the next one up to its review in a second tab (never submitted "
        "before your yes)",
    )
    headed: bool = Field(default=False, description="Show the browser window")
    allow_unattended: bool = Field(default=False, description="Let --yes submit on a real Seller Central host")
    browser_args: list[str] = Field(
        default_factory=list, description="Extra Chromium command-line arguments (a proxy, a debugging port)"
    )
    user_agent_suffix: str = Field(default="", description="Extra text after safet-filer/<version> in the user agent")
    labels: dict[str, Any] = Field(
        default_factory=dict,
        description="The site's words where they differ from the built-in table: {label: word} (see the README)",
    )

    @field_validator("labels")
    @classmethod
    def _known_labels(cls, value: dict[str, Any]) -> dict[str, Any]:
        """Names matched regardless of case (environment variables come lower-cased), words stripped."""
        return check_overrides(value)

    @field_validator("marketplaces", mode="before")
    @classmethod
    def _merge_over_defaults(cls, value: Any) -> Any:
        """A config that sets `[marketplaces.US] filing_window_days = 45` changes that key, not the whole entry."""
        if not isinstance(value, dict):
            return value
        merged: dict[str, Any] = {code: dict(m) for code, m in DEFAULT_MARKETPLACES.items()}
        for code, entry in value.items():
            if isinstance(entry, Marketplace):
                entry = entry.model_dump()
            if isinstance(entry, dict):
                merged[code.upper()] = {**merged.get(code.upper(), {}), **entry}
            else:
                merged[code.upper()] = entry
        return merged

    @field_validator("marketplace", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.strip().upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _known_marketplace(self) -> Settings:
        if self.marketplace not in self.marketplaces:
            raise ValueError(
                f"marketplace {self.marketplace!r} is not in the marketplaces table "
                f"(known: {', '.join(sorted(self.marketplaces))})"
            )
        return self

    def market(self, code: str | None = None) -> Marketplace:
        """The marketplace `code` (the default marketplace when None)."""
        return self.marketplaces[(code or self.marketplace).upper()]

    def site_labels(self, code: str | None = None, learned: dict[str, Any] | None = None) -> SiteLabels:
        """The words the flows look for on marketplace `code`: its language's table, the `labels` setting over it,
        and words `learned` in this run (not yet in the settings read at its start) over both."""
        return labels_for(self.market(code).language, {**self.labels, **(learned or {})})

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Highest first: command-line options, environment, .env, config file, then the defaults above.
        return init_settings, env_settings, dotenv_settings, TomlConfigSettingsSource(settings_cls, _config_file.get())


SOURCE_NAMES = ("command line", "environment", ".env", "config file")


def config_file_path(config_file: Path | None) -> Path | None:
    """The TOML file to read: the one given (it must exist), else the platform default when it exists."""
    if config_file is not None:
        if not config_file.is_file():
            raise InvalidInput(
                f"The config file {config_file} does not exist.",
                "Check the path given to --config, or leave --config out to use the default file.",
            )
        return config_file
    return DEFAULT_CONFIG_FILE if DEFAULT_CONFIG_FILE.is_file() else None


def minutes(seconds: float) -> str:
    """A wait as the person reads it: "15 minutes", "1 minute", "30 seconds"."""
    if seconds < 60:
        return f"{seconds:g} second{'' if seconds == 1 else 's'}"
    return f"{seconds / 60:g} minute{'' if seconds == 60 else 's'}"


def writable_config_file(config_file: Path | None) -> Path:
    """The settings file that the person's choices go to: the one given with --config, else the default one."""
    return config_file or DEFAULT_CONFIG_FILE


def load_settings(config_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from every source; `overrides` are the command-line options that were given (None = not given)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    path = config_file_path(config_file)
    token = _config_file.set(path)
    try:
        return Settings(**given)
    except ValidationError as exc:
        raise InvalidInput(_settings_error_text(exc), _settings_error_hint(path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(
            f"The config file {path} is not valid TOML: {exc}.", "Fix that line and run again."
        ) from None
    finally:
        _config_file.reset(token)


def setting_sources(config_file: Path | None = None, **overrides: Any) -> dict[str, str]:
    """For each setting that does not keep its default, the name of the source that gave its value."""
    found: dict[str, str] = {}
    for source, values in _values_by_source(config_file, overrides):
        for key in values:
            found.setdefault(key, source)
    return found


def label_sources(config_file: Path | None = None, **overrides: Any) -> dict[str, str]:
    """For each label that a source overrides ("check_eligibility", "reasons.ADMGD"), the source's name."""
    found: dict[str, str] = {}
    for source, values in _values_by_source(config_file, overrides):
        for name, value in check_overrides(values.get("labels") or {}).items():
            keys = [f"{name}.{code}" for code in value] if isinstance(value, dict) else [name]
            for key in keys:
                found.setdefault(key, source)
    return found


def _values_by_source(config_file: Path | None, overrides: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(source name, the values it gives), highest first, as `Settings` reads them."""
    given = {key: value for key, value in overrides.items() if value is not None}
    path = config_file_path(config_file)
    token = _config_file.set(path)
    try:
        sources = Settings.settings_customise_sources(
            Settings,
            init_settings=_InitValues(Settings, given),
            env_settings=_env_source(),
            dotenv_settings=_dotenv_source(),
            file_secret_settings=_InitValues(Settings, {}),
        )
        return [
            (f"{name} ({path})" if name == "config file" else name, source())
            for name, source in zip(SOURCE_NAMES, sources, strict=True)
        ]
    finally:
        _config_file.reset(token)


class _InitValues(PydanticBaseSettingsSource):
    def __init__(self, settings_cls: type[BaseSettings], values: dict[str, Any]):
        super().__init__(settings_cls)
        self.values = values

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        return self.values.get(field_name), field_name, False

    def __call__(self) -> dict[str, Any]:
        return dict(self.values)


def _env_source() -> PydanticBaseSettingsSource:
    from pydantic_settings import EnvSettingsSource

    return EnvSettingsSource(Settings)


def _dotenv_source() -> PydanticBaseSettingsSource:
    from pydantic_settings import DotEnvSettingsSource

    return DotEnvSettingsSource(Settings)


def _settings_error_text(exc: ValidationError) -> str:
    lines = [
        f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg'].removeprefix('Value error, ')}"
        for err in exc.errors()
    ]
    return "The settings are not valid:\n  " + "\n  ".join(lines)


def _settings_error_hint(path: Path | None) -> str:
    where = f"the config file {path}, " if path else ""
    return f"Correct {where}the SAFET_* environment variables, .env or the command-line options, then run again."
