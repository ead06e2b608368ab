"""The head every HTML page the build writes shares: no network (the page's own policy), a phone
viewport, no favicon request, the page's inline style."""

from __future__ import annotations

from html import escape


def page_head(title: str, policy: str, style: str) -> str:
    """`<!doctype html>` up to and including `</head>`; the title is escaped here."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{policy}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}</title>
<link rel="icon" href="data:,">
<style>{style}</style>
</head>"""
