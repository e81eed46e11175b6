// The analytics pages' charts (issue 16): each [data-chart] element is drawn from the JSON block
// its data-source names, the same numbers as the table beside it; its labels come from its
// data-* attributes (the page's language). Without JavaScript the elements stay hidden and the
// tables carry the figures. Tooltips are drawn on the canvas (richText): the HTML tooltip would
// write style attributes, which the page policy refuses.
import { init } from "./vendor/echarts.js";

const RED = "#b3141b";
const BLUE = "#0b4f9c";
const GREY = "#4a4a4a";
const TEXT = { color: "#1a1a1a", fontSize: 12 };
// An axis name starts at its axis and runs inward, so a long English name is not cut off.
const LEFT = { ...TEXT, align: "left" };
const RIGHT = { ...TEXT, align: "right" };

function base(extra) {
  return {
    animation: false,
    textStyle: TEXT,
    tooltip: { renderMode: "richText", confine: true },
    legend: { bottom: 0, type: "scroll", textStyle: TEXT },
    grid: { left: 8, right: 16, top: 36, bottom: 44, containLabel: true },
    ...extra,
  };
}

function line(name, data, color, dashed) {
  return {
    name, type: "line", data, symbol: "none", silent: true,
    lineStyle: { color, width: 1.5, type: dashed ? "dashed" : "solid" }, itemStyle: { color },
  };
}

// Expected passes: a log axis when the units span a decade or more (the nation's exam points),
// else a plain one, so that a narrow range still gets ticks and whole numbers.
function expectedAxis(data, name) {
  const xs = data.limits.map((l) => l[0]).concat(data.points.map((p) => p[0]));
  const low = Math.min(...xs);
  const high = Math.max(...xs);
  const common = { name, nameLocation: "middle", nameGap: 26, axisLabel: { ...TEXT, formatter: (v) => String(Math.round(v)) } };
  if (high / low >= 10) return { ...common, type: "log" };
  return { ...common, type: "value", min: Math.floor(low * 0.9), max: Math.ceil(high * 1.05) };
}

function funnel(data, labels) {
  const plain = data.points.filter((p) => !p[3]);
  const flagged = data.points.filter((p) => p[3]);
  const limit = (i) => data.limits.map((l) => [l[0], l[i]]);
  const point = (p) => `${p.data[2]}\n${labels.x}: ${p.data[0].toFixed(1)}\n${labels.y}: ${p.data[1].toFixed(2)}`;
  return base({
    xAxis: expectedAxis(data, labels.x),
    yAxis: { type: "value", name: labels.y, nameTextStyle: LEFT, scale: true, axisLabel: TEXT },
    tooltip: { renderMode: "richText", confine: true, trigger: "item", formatter: point },
    series: [
      { name: labels.units, type: "scatter", data: plain, symbolSize: 7, itemStyle: { color: BLUE, opacity: 0.75 } },
      { name: labels.flagged, type: "scatter", data: flagged, symbol: "diamond", symbolSize: 12, itemStyle: { color: RED } },
      line(labels.inner, limit(1), GREY, true),
      { ...line(labels.inner, limit(2), GREY, true) },
      line(labels.outer, limit(3), GREY, false),
      { ...line(labels.outer, limit(4), GREY, false) },
    ],
  });
}

function series(data, labels) {
  const marked = data.marked.map((m) => [{ xAxis: m }, { xAxis: m }]);
  return base({
    xAxis: { type: "category", data: data.months, axisLabel: TEXT },
    yAxis: [
      { type: "value", name: labels.sat, nameTextStyle: LEFT, axisLabel: TEXT, minInterval: 1 },
      { type: "value", name: labels.rate, nameTextStyle: RIGHT, min: 0, max: 100, axisLabel: TEXT },
    ],
    tooltip: { renderMode: "richText", confine: true, trigger: "axis" },
    series: [
      {
        name: labels.sat, type: "bar", data: data.sat, itemStyle: { color: BLUE },
        markArea: { silent: true, itemStyle: { color: "rgba(179, 20, 27, 0.14)" }, data: marked },
      },
      { name: labels.rate, type: "line", yAxisIndex: 1, data: data.rate, connectNulls: false, itemStyle: { color: RED }, lineStyle: { color: RED } },
    ],
  });
}

function scores(data, labels) {
  return base({
    xAxis: { type: "category", data: data.scores.map(String), axisLabel: TEXT },
    yAxis: { type: "value", name: labels.y, nameTextStyle: LEFT, axisLabel: TEXT },
    tooltip: { renderMode: "richText", confine: true, trigger: "axis" },
    series: [
      {
        name: labels.unit, type: "bar", data: data.unit_share, itemStyle: { color: RED },
        markLine: {
          silent: true, symbol: "none", lineStyle: { color: GREY, type: "dashed" },
          label: { formatter: `${labels.pass} 80`, color: "#1a1a1a" },
          data: data.scores.includes(80) ? [{ xAxis: "80" }] : [],
        },
      },
      { name: labels.peers, type: "bar", data: data.peer_share, itemStyle: { color: BLUE, opacity: 0.6 } },
    ],
  });
}

const DRAW = { funnel, series, scores };

for (const element of document.querySelectorAll("[data-chart]")) {
  const draw = DRAW[element.dataset.chart];
  const source = document.getElementById(element.dataset.source);
  if (!draw || !source) continue;
  element.hidden = false;
  const chart = init(element, null, { renderer: "canvas" });
  chart.setOption(draw(JSON.parse(source.textContent), element.dataset));
  new ResizeObserver(() => chart.resize()).observe(element);
}
