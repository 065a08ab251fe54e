// The report pages' charts: each <div class="report-chart" data-source=ID> is drawn with
// Apache ECharts (static/vendor/echarts/, loaded before this module) from the JSON the page
// embeds in <script type="application/json" id=ID> (analytics/charts.py). No inline script,
// no other origin: the page keeps its strict Content-Security-Policy.

/** @typedef {{name: string, values?: (number|null)[]}} Series */
/**
 * @typedef {{name: string, kind: "bar"|"heatmap", title: string, labels: string[],
 *   series: Series[], horizontal?: boolean, unit: string, rows?: string[],
 *   cells?: number[][], peak?: number}} ChartData
 */

const COLORS = ["#2563eb", "#a5b4fc"];
const PREVIOUS = "#c7d2fe";

/** Whole numbers as integers, others with at most two decimals, in the page's language. */
function number(/** @type {number} */ value) {
  return new Intl.NumberFormat(document.documentElement.lang || undefined, {
    maximumFractionDigits: 2,
  }).format(value);
}

/** A label cut to ``max`` characters for an axis; the tooltip shows it whole. */
function short(/** @type {string} */ label, max = 28) {
  return label.length > max ? label.slice(0, max - 1) + "…" : label;
}

/** @param {ChartData} data */
export function barOption(data) {
  const horizontal = Boolean(data.horizontal);
  const last = data.series.length - 1;
  const categories = {
    type: "category",
    data: data.labels,
    inverse: horizontal, // the first (largest) item on top
    axisTick: { alignWithLabel: true },
    axisLabel: horizontal
      ? { formatter: (/** @type {string} */ v) => short(v), width: 220, overflow: "truncate" }
      : { hideOverlap: true },
  };
  const values = { type: "value", minInterval: 1, axisLabel: { formatter: number } };
  return {
    color: data.series.length > 1 ? [PREVIOUS, COLORS[0]] : COLORS,
    animation: false,
    aria: { enabled: true },
    tooltip: {
      className: "report-tooltip",
      trigger: "axis",
      axisPointer: { type: "shadow" },
      confine: true,
      valueFormatter: (/** @type {number|null} */ v) => (v == null ? "—" : number(v)),
    },
    legend: { top: 0, data: data.series.map((s) => s.name) },
    grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
    xAxis: horizontal ? values : categories,
    yAxis: horizontal ? categories : values,
    series: data.series.map((s, i) => ({
      name: s.name,
      type: "bar",
      data: s.values,
      barMaxWidth: 36,
      label: i === last && horizontal ? { show: true, position: "right", formatter: "{c}" } : { show: false },
      emphasis: { focus: "series" },
    })),
  };
}

/** @param {ChartData} data */
export function heatmapOption(data) {
  const rows = data.rows || [];
  return {
    animation: false,
    aria: { enabled: true },
    tooltip: {
      className: "report-tooltip",
      position: "top",
      formatter: (/** @type {{value: number[], marker: string, seriesName: string}} */ p) =>
        `${rows[p.value[1]]} ${data.labels[p.value[0]]}:00–${data.labels[p.value[0]]}:59<br>` +
        `${p.marker}${p.seriesName}: <b>${number(p.value[2])}</b>`,
    },
    legend: { show: false },
    grid: { left: 8, right: 16, top: 8, bottom: 64, containLabel: true },
    xAxis: { type: "category", data: data.labels, splitArea: { show: true }, axisTick: { alignWithLabel: true } },
    yAxis: { type: "category", data: rows, inverse: true, splitArea: { show: true } },
    visualMap: {
      min: 0,
      max: Math.max(1, data.peak || 0),
      calculable: true,
      orient: "horizontal",
      left: "center",
      bottom: 4,
      itemHeight: 240,
      inRange: { color: ["#f1f5ff", "#93c5fd", "#2563eb", "#1e3a8a"] },
      formatter: (/** @type {number} */ v) => number(Math.round(v)),
    },
    series: [
      {
        name: data.series[0]?.name || "",
        type: "heatmap",
        data: data.cells || [],
        label: { show: true, fontSize: 10, formatter: (/** @type {{value: number[]}} */ p) => (p.value[2] ? String(p.value[2]) : "") },
        itemStyle: { borderColor: "#fff", borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: "#111827", borderWidth: 1 } },
      },
    ],
  };
}

/** @param {ChartData} data */
export function chartOption(data) {
  return data.kind === "heatmap" ? heatmapOption(data) : barOption(data);
}

/** Whether the admin shows its dark theme (its toggle, or "auto" with a dark system). */
function isDark() {
  const theme = document.documentElement.dataset.theme;
  if (theme === "dark") return true;
  if (theme === "light") return false;
  return window.matchMedia("(prefers-color-scheme: dark)").matches;
}

/** @type {any[]} */
let drawn = [];

function drawAll() {
  /** @type {any} */
  const echarts = /** @type {any} */ (window).echarts;
  if (!echarts) return;
  const locale = (document.documentElement.lang || "en").toLowerCase().startsWith("zh") ? "ZH" : "EN";
  const theme = isDark() ? "dark" : null;
  drawn.forEach((chart) => chart.dispose());
  drawn = [];
  for (const box of document.querySelectorAll(".report-chart[data-source]")) {
    const source = document.getElementById(/** @type {HTMLElement} */ (box).dataset.source || "");
    if (!source) continue;
    const data = /** @type {ChartData} */ (JSON.parse(source.textContent || "{}"));
    if (data.horizontal) {
      // One readable row per label (question, entry, agent), however many there are.
      /** @type {HTMLElement} */ (box).style.height = `${Math.max(160, 28 * data.labels.length + 64)}px`;
    }
    const chart = echarts.init(box, theme, { renderer: "svg", locale });
    chart.setOption({ ...chartOption(data), backgroundColor: "transparent" });
    box.setAttribute("data-drawn", "1");
    box.setAttribute("data-theme", theme || "light");
    drawn.push(chart);
  }
}

function start() {
  drawAll();
  // The figures reflow with the window and with the admin's collapsible parts.
  const observer = new ResizeObserver(() => drawn.forEach((chart) => chart.resize()));
  document.querySelectorAll(".report-chart[data-drawn]").forEach((box) => observer.observe(box));
  // The admin's theme toggle and the system's scheme redraw the charts in the new colours.
  new MutationObserver(drawAll).observe(document.documentElement, { attributeFilter: ["data-theme"] });
  window.matchMedia("(prefers-color-scheme: dark)").addEventListener("change", drawAll);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
