"""The monthly KPI PDF: its charts as inline SVG geometry, computed here (wkhtmltopdf runs no JavaScript).

Both charts are drawn on a 1000-unit-wide canvas stretched to the page's width; at A4 with the
external layout one unit prints at about 0.185 mm, so the 18-unit labels print at about 9 pt.
"""

import babel.dates
from dateutil.relativedelta import relativedelta

from odoo import api, models
from odoo.tools.misc import babel_locale_parse, get_lang

from ..models.claim_callback_kpi import KPI_SPECS

WIDTH = 1000
FONT = 18  # canvas units: about 9 pt once the canvas fills the page's width
# the canvas' height in mm per unit that keeps its proportions at the page's width (A4 less the layout's
# margins, at wkhtmltopdf's zoom): the chart then fills the width
MM_PER_UNIT = 0.23
LABEL_W = 330  # room for the KPI names left of the bars
VALUE_W = 110  # room for the values right of the bars
ROW_H, BAR_H = 40, 24
COLORS = {True: "#2e7d32", False: "#c62828", None: "#78909c"}
TREND_SERIES = (("coverage_72h", "#1565c0"), ("satisfaction_rate", "#ef6c00"))


class ReportClaimCallbackKpi(models.AbstractModel):
    _name = "report.insurance_claim_callback.report_claim_callback_kpi"
    _description = "Monthly Callback KPI Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        docs = self.env["claim.callback.kpi"].browse(docids)
        return {
            "doc_ids": docids,
            "doc_model": "claim.callback.kpi",
            "docs": docs,
            "font_size": FONT,
            "bar_chart": self._bar_chart,
            "trend_chart": self._trend_chart,
        }

    # ------------------------------------------------------------------
    # KPI vs target: one bar per KPI on its own axis, the target as a black mark
    # ------------------------------------------------------------------

    @api.model
    def _axis(self, lo, hi, top, bottom, step, signed=False):
        plot_w = WIDTH - LABEL_W - VALUE_W

        def x(value):
            return LABEL_W + plot_w * (min(max(value, lo), hi) - lo) / (hi - lo)

        ticks = [
            {"x": x(v), "label": f"{v:+d} %" if signed and v else f"{v} %"} for v in range(int(lo), int(hi) + 1, step)
        ]
        return x, {"top": top, "bottom": bottom, "ticks": ticks, "x0": x(lo), "x1": x(hi), "zero": x(0)}

    @api.model
    def _bar_chart(self, kpi):
        lines = kpi._get_kpi_lines()
        groups = [
            [line for line in lines if not line["field"].endswith("_change")],
            [line for line in lines if line["field"].endswith("_change")],
        ]
        bars, axes, y = [], [], 0
        for group, (lo, hi, step, signed) in zip(groups, ((0, 100, 25, False), (-50, 50, 25, True)), strict=True):
            top = y
            x, axis = self._axis(lo, hi, top, top + len(group) * ROW_H, step, signed)
            for line in group:
                value, zero = line["value"], x(0)
                bars.append({
                    **line,
                    "y": y + (ROW_H - BAR_H) / 2,
                    "text_y": y + ROW_H / 2 + FONT * 0.35,
                    "bar_x": min(zero, x(value)) if value is not None else zero,
                    "bar_w": abs(x(value) - zero) if value is not None else 0,
                    "target_x": x(line["target"]) if line["target"] is not None else None,
                    "color": COLORS[line["ok"]],
                })
                y += ROW_H
            axes.append(axis)
            y += FONT * 2.5  # the axis' tick labels
        legend = self._legend(y + FONT, [
            ("rect", COLORS[True], self.env._("Target met")),
            ("rect", COLORS[False], self.env._("Target missed")),
            ("rect", COLORS[None], self.env._("No target or n/a")),
            ("mark", "#000000", self.env._("Target (company setting)")),
        ])
        height = legend[-1]["y"] + FONT
        return {
            "width": WIDTH,
            "height": height,
            "style": _style(height),
            "font_size": FONT,
            "bar_height": BAR_H,
            "value_x": WIDTH - VALUE_W + 10,
            "bars": bars,
            "axes": axes,
            "legend": legend,
        }

    @api.model
    def _legend(self, y, entries):
        """Legend items side by side, on as many rows as the width needs: a swatch and its text."""
        items, x = [], 0
        for kind, color, label in entries:
            width = 50 + sum(FONT if ord(char) >= 0x2E80 else FONT * 0.5 for char in label)  # CJK glyphs: 1 em
            if x and x + width > WIDTH:
                x, y = 0, y + FONT * 1.6
            items.append({"kind": kind, "color": color, "label": label, "x": x, "y": y})
            x += width + 20
        return items

    # ------------------------------------------------------------------
    # 12-month trend of coverage and satisfaction, with their targets
    # ------------------------------------------------------------------

    @api.model
    def _trend_chart(self, kpi):
        left, right, top, bottom = 90, 30, 20, 260
        months = [kpi.month - relativedelta(months=11 - i) for i in range(12)]
        rows = {k.month: k for k in kpi.search([("company_id", "=", kpi.company_id.id), ("month", "in", months)])}
        step = (WIDTH - left - right) / 11

        def y(percent):
            return bottom - (bottom - top) * percent / 100

        names, targets = kpi._kpi_names(), {line["field"]: line["target"] for line in kpi._get_kpi_lines()}
        series, legend = [], []
        for field, color in TREND_SERIES:
            denominator = next(spec[1] for spec in KPI_SPECS if spec[0] == field)
            points = [
                (left + i * step, y(rows[m][field]))
                for i, m in enumerate(months)
                if m in rows and rows[m]._is_defined(field, denominator)
            ]
            target = targets.get(field)
            # the month to date is no month yet: its point stands apart, hollow, off the line
            partial = points[-1:] if kpi.is_month_to_date and points and points[-1][0] == left + 11 * step else []
            complete = points[: len(points) - len(partial)]
            series.append({
                "color": color,
                "points": " ".join(f"{px:.1f},{py:.1f}" for px, py in complete),
                "dots": complete,
                "partial_dots": partial,
                "target_y": y(target) if target is not None else None,
            })
            legend.append(("line", color, names[field]))
            if target is not None:
                legend.append(("dash", color, self.env._("Target %(target)s %%", target=f"{target:.0f}")))
        if kpi.is_month_to_date:
            legend.append(("hollow", "#616161", self.env._("Month to date")))
        locale = babel_locale_parse(get_lang(self.env).code)
        legend = self._legend(bottom + FONT * 4.2, legend)
        height = legend[-1]["y"] + FONT
        return {
            "width": WIDTH,
            "height": height,
            "style": _style(height),
            "left": left,
            "right": WIDTH - right,
            "top": top,
            "bottom": bottom,
            "series": series,
            "ticks": [self._trend_tick(months, i, left + i * step, locale) for i in range(len(months))],
            "grid": [{"y": y(p), "label": f"{p} %"} for p in (0, 25, 50, 75, 100)],
            "legend": legend,
        }


    @api.model
    def _trend_tick(self, months, i, x, locale):
        """The month under each point, the year under the first and under January. A first month just before
        January ends its year at its tick, so that the two years ("2025年", "2026年") do not run into each other."""
        month = months[i]
        tick = {"x": x, "label": babel.dates.format_skeleton("MMM", month, locale=locale), "year": "",
                "year_x": x, "year_anchor": "middle"}
        if i == 0 or month.month == 1:
            tick["year"] = babel.dates.format_skeleton("y", month, locale=locale)
        if i == 0 and len(months) > 1 and months[1].month == 1:
            tick.update(year_x=x + FONT / 2, year_anchor="end")
        return tick


def _style(height):
    """Full width; the height in mm keeps the canvas' proportions, so that text keeps its size."""
    return f"width: 100%; height: {height * MM_PER_UNIT:.0f}mm;"
