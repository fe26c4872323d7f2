"""`safet-filer config`: every setting's effective value and where it came from, as a table or as JSON.

rich is imported inside the function that draws, so importing this module costs nothing.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from safet_filer.flows.labels import LABEL_NAMES
from safet_filer.settings import DEFAULT_MARKETPLACES, Marketplace, Settings

if TYPE_CHECKING:
    from rich.console import Console


def settings_as_dict(
    settings: Settings, sources: dict[str, str], config_file: Path | None, label_sources: dict[str, str]
) -> dict[str, Any]:
    """Every setting with its effective value and where it came from; marketplaces one by one, then the labels of
    the default marketplace one by one (`label_sources` says which ones a source overrides)."""
    values = settings.model_dump(mode="json")
    result: dict[str, Any] = {"config_file": str(config_file) if config_file else None, "settings": {}}
    for name, value in values.items():
        if name in ("marketplaces", "labels"):
            continue
        result["settings"][name] = {"value": value, "source": sources.get(name, "default")}
    markets: dict[str, Any] = {}
    for code, market in values["marketplaces"].items():
        default = DEFAULT_MARKETPLACES.get(code)
        unchanged = default is not None and market == _with_defaults(default)
        markets[code] = {
            "value": market,
            "source": "default" if unchanged else sources.get("marketplaces", "default"),
        }
    result["marketplaces"] = markets
    result["labels"] = labels_as_dict(settings, label_sources)
    return result


def labels_as_dict(settings: Settings, sources: dict[str, str]) -> dict[str, Any]:
    """{label: {value, source}} for the default marketplace, a table label's entries as `reasons.ADMGD`."""
    language = settings.market().language
    labels = settings.site_labels()
    built_in = f"built-in ({language})"
    result: dict[str, Any] = {}
    for name in LABEL_NAMES:
        value = getattr(labels, name)
        if isinstance(value, dict):
            for code, text in value.items():
                result[f"{name}.{code}"] = {"value": text, "source": sources.get(f"{name}.{code}", built_in)}
        else:
            shown = list(value) if isinstance(value, tuple) else value
            result[name] = {"value": shown, "source": sources.get(name, built_in)}
    return result


def _with_defaults(entry: dict[str, Any]) -> dict[str, Any]:
    return Marketplace(**entry).model_dump(mode="json")


def print_settings(info: dict[str, Any], console: Console) -> None:
    """The settings table, then the marketplaces table; sources other than the default stand out."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    def plain_table() -> Table:
        return Table(box=box.SIMPLE_HEAD, header_style="bold", show_edge=False, pad_edge=False, padding=(0, 1, 0, 0))

    def source_text(source: str) -> Text:
        # The config file's path is on the first line; the table names only the kind of source.
        if source.startswith("built-in"):
            return Text(source, style="dim")
        short = source.split(" (", 1)[0]
        return Text(short, style="dim") if short == "default" else Text(short, style="bold cyan")

    where = info["config_file"]
    console.print(
        f"Config file: {escape(where)}"
        if where
        else Text("Config file: none (every setting has its default)", style="dim")
    )
    table = plain_table()
    table.add_column("Setting", no_wrap=True)
    table.add_column("Value", overflow="fold")
    table.add_column("Source", no_wrap=True)
    for name, entry in info["settings"].items():
        value = entry["value"]
        if value is None or value == "":
            shown: Any = Text("(not set)", style="dim")
        elif isinstance(value, bool):
            shown = "true" if value else "false"
        else:
            shown = str(value)
        table.add_row(name, shown, source_text(entry["source"]))
    console.print(table)

    markets = plain_table()
    for heading in ("Code", "Host", "Window", "Wait", "Chars", "Files", "MB", "Language", "Source"):
        markets.add_column(
            heading, justify="left" if heading in ("Code", "Host", "Language", "Source") else "right", no_wrap=True
        )
    for code, entry in info["marketplaces"].items():
        m = entry["value"]
        markets.add_row(
            code,
            m["host"],
            str(m["filing_window_days"]),
            str(m["earliest_days_after_refund"]),
            f"{m['description_limit']:,}",
            str(m["max_attachments"]),
            f"{m['max_attachment_mb']:g}",
            m["language"],
            source_text(entry["source"]),
        )
    console.print(Text("Marketplaces", style="bold"))
    console.print(markets)
    console.print(
        Text(
            "Window: days to file, from the later of the refund and the return's delivery. Wait: days after the "
            "refund before Amazon takes a claim. Chars: description limit. Files, MB: attachments per claim, "
            "size of each.",
            style="dim",
        )
    )
    labels = plain_table()
    labels.add_column("Label", no_wrap=True)
    labels.add_column("The site's word", overflow="fold")
    labels.add_column("Source", no_wrap=True)
    for name, entry in info["labels"].items():
        value = entry["value"]
        labels.add_row(name, ", ".join(value) if isinstance(value, list) else value, source_text(entry["source"]))
    console.print(Text("Labels (the words looked for on the default marketplace's pages)", style="bold"))
    console.print(labels)
