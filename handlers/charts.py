"""A small PNG chart of actions per day against the deadline, for ``/stats``.

Drawn with Pillow's primitives (no plotting library, no fonts to install): bars for each
day's actions, a red line at the deadline. Counts only, never who.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

WIDTH, HEIGHT, MARGIN = 720, 360, 40
BAR, DEADLINE, AXIS, BACKGROUND = (50, 90, 160), (200, 30, 30), (60, 60, 60), (255, 255, 255)


def actions_per_day_png(per_day: dict[date, int], deadline: date) -> bytes:
    """Bars from the first day with actions (or the deadline) to the deadline, inclusive."""
    first = min([*per_day, deadline])
    last = max([*per_day, deadline])
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    peak = max([*per_day.values(), 1])
    from PIL import Image, ImageDraw  # only when /stats draws a chart

    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    draw = ImageDraw.Draw(image)
    plot_width, plot_height = WIDTH - 2 * MARGIN, HEIGHT - 2 * MARGIN
    slot = plot_width / len(days)
    for index, day in enumerate(days):
        count = per_day.get(day, 0)
        left = MARGIN + index * slot
        if count:
            top = HEIGHT - MARGIN - plot_height * count / peak
            draw.rectangle([left + slot * 0.1, top, left + slot * 0.9, HEIGHT - MARGIN], fill=BAR)
        if day == deadline:
            x = left + slot / 2
            draw.line([x, MARGIN, x, HEIGHT - MARGIN], fill=DEADLINE, width=3)
    draw.line([MARGIN, HEIGHT - MARGIN, WIDTH - MARGIN, HEIGHT - MARGIN], fill=AXIS, width=2)
    draw.line([MARGIN, MARGIN, MARGIN, HEIGHT - MARGIN], fill=AXIS, width=2)
    draw.text((MARGIN, 8), f"{first.isoformat()} .. {last.isoformat()}  max {peak}/day", fill=AXIS)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
