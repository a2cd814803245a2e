"""Server-rendered SVG charts for the report: a horizontal stacked bar per item.

No charting service and no script: the SVG is written here, inline in the page. The
shares differ by colour AND by pattern (solid, stripes, dots), a legend with the numbers
follows the bar, and the SVG itself carries a text alternative (`role="img"`,
`aria-label` and `<title>`) with every number. All text is escaped.
"""

from dataclasses import dataclass

from markupsafe import Markup

from ..formatting import percent_text

WIDTH = 400
HEIGHT = 28

# value → (CSS class, fill): the fill of "planned" and "no" is a pattern defined below.
STYLES = {
    "yes": ("chart-yes", "#0b4f9c"),
    "planned": ("chart-planned", "url(#{prefix}-planned)"),
    "no": ("chart-no", "url(#{prefix}-no)"),
}
FALLBACK = ("chart-other", "#595959")


@dataclass(frozen=True)
class Segment:
    value: str
    label: str
    count: int
    percent: int


PATTERNS = Markup(
    "<defs>"
    '<pattern id="{prefix}-planned" width="8" height="8" patternUnits="userSpaceOnUse"'
    ' patternTransform="rotate(45)">'
    '<rect width="8" height="8" fill="#f3c18a"></rect>'
    '<rect width="3" height="8" fill="#a34700"></rect></pattern>'
    '<pattern id="{prefix}-no" width="6" height="6" patternUnits="userSpaceOnUse">'
    '<rect width="6" height="6" fill="#e8e8e8"></rect>'
    '<circle cx="3" cy="3" r="1.3" fill="#595959"></circle></pattern>'
    "</defs>"
)
OPEN = Markup(
    '<svg class="stacked-bar" viewBox="0 0 {width} {height}" width="100%"'
    ' preserveAspectRatio="none" role="img" aria-label="{text}" focusable="false">'
    "<title>{text}</title>"
    '<rect class="chart-track" x="0" y="0" width="{width}" height="{height}"'
    ' fill="#ffffff" stroke="#595959"></rect>'
)
BAR = Markup(
    '<rect class="{css}" x="{x:.2f}" y="0" width="{width:.2f}" height="{height}"'
    ' fill="{fill}" stroke="#ffffff" stroke-width="1"></rect>'
)
# A swatch carries its own patterns: a fill that points into another SVG element is not
# drawn by every renderer (WeasyPrint, for the PDF, leaves it empty).
SWATCH = Markup(
    '<svg class="chart-swatch" viewBox="0 0 16 16" width="16" height="16"'
    ' aria-hidden="true" focusable="false">{patterns}'
    '<rect class="{css}" width="16" height="16" fill="{fill}" stroke="#595959"></rect></svg>'
)


def _prefix(chart_id: str) -> str:
    return "chart-" + "".join(ch if ch.isalnum() else "-" for ch in chart_id)


def description(segments: list[Segment], answered: int, answered_label: str) -> str:
    """The chart in words: "Yes 33 (92 %), Planned 2 (6 %), No 1 (3 %); answered 36"."""
    parts = ", ".join(f"{s.label} {s.count} ({percent_text(s.percent)})" for s in segments)
    return f"{parts}; {answered_label} {answered}"


def stacked_bar(
    chart_id: str, segments: list[Segment], answered: int, answered_label: str
) -> Markup:
    """One item's answers as shares of those who answered it, as an inline SVG.
    Every value goes through `Markup.format`, which escapes it."""
    prefix = _prefix(chart_id)
    text = description(segments, answered, answered_label)
    out = OPEN.format(width=WIDTH, height=HEIGHT, text=text) + PATTERNS.format(prefix=prefix)
    x = 0.0
    for segment in segments:
        if not segment.count or not answered:
            continue
        width = WIDTH * segment.count / answered
        css, fill = STYLES.get(segment.value, FALLBACK)
        out += BAR.format(css=css, x=x, width=width, height=HEIGHT, fill=fill.format(prefix=prefix))
        x += width
    return out + Markup("</svg>")


def swatch(chart_id: str, value: str) -> Markup:
    """The legend's sample of a share's fill (decorative: the legend's text says it)."""
    css, fill = STYLES.get(value, FALLBACK)
    prefix = _prefix(f"{chart_id}-swatch-{value}")
    patterns = PATTERNS.format(prefix=prefix) if fill.startswith("url(") else Markup()
    return SWATCH.format(patterns=patterns, css=css, fill=fill.format(prefix=prefix))
