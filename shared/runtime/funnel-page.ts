import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { FunnelView } from "#shared/application/funnel";
import { FUNNEL_GROUPINGS, reviewWaitsText } from "#shared/domain/funnel";
import { escapeHtml, htmlPageResponse, scriptJson } from "./html-page";

/**
 * GET /funnel/view: the funnel as a chart. One self-contained page: the report is embedded as JSON
 * and drawn as SVG by an inline script, so it needs no second request, no external asset, and works
 * behind IAM auth as well as on the local server. The form reloads the page with other dates or grouping.
 */
export function funnelPageResponse(view: FunnelView): APIGatewayProxyStructuredResultV2 {
  return htmlPageResponse((nonce) => funnelPage(view, nonce));
}

export function funnelPage(view: FunnelView, nonce: string): string {
  const options = ["", ...FUNNEL_GROUPINGS]
    .map((by) => {
      const selected = (view.by ?? "") === by ? " selected" : "";
      return `<option value="${by}"${selected}>${by === "" ? "all leads" : `by ${by}`}</option>`;
    })
    .join("");
  const review = reviewWaitsText(view.review);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Ripen funnel ${escapeHtml(view.from)} to ${escapeHtml(view.to)}</title>
<style nonce="${nonce}">
  body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #1d2a1f; background: #fbfaf5; }
  h1 { font-size: 20px; margin: 0 0 12px; }
  form { display: flex; gap: 12px; align-items: end; margin-bottom: 16px; flex-wrap: wrap; }
  label { display: flex; flex-direction: column; font-size: 12px; color: #4a574c; }
  input, select, button { font: inherit; padding: 4px 8px; }
  #segment-tabs button { margin: 0 6px 6px 0; border: 1px solid #9bb59f; background: #fff; border-radius: 4px; }
  #segment-tabs button[aria-pressed="true"] { background: #2f7d32; color: #fff; border-color: #2f7d32; }
  svg text { font: 13px system-ui, sans-serif; fill: #1d2a1f; }
  svg .conversion { fill: #5b6b5e; font-size: 12px; }
  svg .time { fill: #5b6b5e; font-size: 12px; }
  table { border-collapse: collapse; margin-top: 16px; }
  th, td { padding: 4px 10px; border-bottom: 1px solid #e3e6dc; text-align: right; }
  th:first-child, td:first-child { text-align: left; }
  .empty { color: #7a857c; font-style: italic; }
</style>
</head>
<body>
<h1>Funnel</h1>
<form method="get">
  <label>from <input type="date" name="from" value="${escapeHtml(view.from)}"></label>
  <label>to <input type="date" name="to" value="${escapeHtml(view.to)}"></label>
  <label>group <select name="by">${options}</select></label>
  <button type="submit">Show</button>
</form>
<p id="summary"></p>
<div id="segment-tabs"></div>
<svg id="funnel-chart" role="img" aria-label="Funnel chart" width="760" height="300" viewBox="0 0 760 300"></svg>
<table id="funnel-table"><thead></thead><tbody></tbody></table>
${
  review
    ? `<p id="review">${escapeHtml(review.charAt(0).toUpperCase() + review.slice(1))}.</p>
`
    : ""
}<script type="application/json" id="funnel-data">${scriptJson(view)}</script>
<script nonce="${nonce}">${CHART_SCRIPT}</script>
</body>
</html>
`;
}

/** Draws the chart with DOM calls only (textContent, never innerHTML): segment names come from senders. */
const CHART_SCRIPT = `
(function () {
  "use strict";
  var view = JSON.parse(document.getElementById("funnel-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var chart = document.getElementById("funnel-chart");
  var tabs = document.getElementById("segment-tabs");
  var segments = [view.total].concat(view.segments || []);

  function el(name, attributes, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, String(attributes[key])); });
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function hours(value) {
    if (value === null || value === undefined) return "–";
    return value >= 48 ? (value / 24).toFixed(1) + " d" : value.toFixed(1) + " h";
  }
  function percent(value) {
    return value === null || value === undefined ? "–" : Math.round(value * 100) + "%";
  }

  function draw(segment) {
    while (chart.firstChild) chart.removeChild(chart.firstChild);
    var stages = segment.stages;
    var widest = Math.max(1, Math.max.apply(null, stages.map(function (stage) { return stage.entered; })));
    var rowHeight = 52, barHeight = 34, top = 8, maxWidth = 460, centre = 250;
    chart.setAttribute("height", String(top + stages.length * rowHeight + 30));
    chart.setAttribute("viewBox", "0 0 760 " + (top + stages.length * rowHeight + 30));
    stages.forEach(function (stage, index) {
      var width = stage.entered === 0 ? 2 : Math.max(6, (stage.entered / widest) * maxWidth);
      var y = top + index * rowHeight;
      var bar = el("rect", {
        class: "bar", x: centre - width / 2, y: y, width: width, height: barHeight, rx: 4,
        fill: ["#a5d6a7", "#81c784", "#66bb6a", "#43a047", "#2e7d32"][index % 5],
        "data-stage": stage.stage, "data-entered": stage.entered
      });
      bar.appendChild(el("title", {}, stage.stage + ": " + stage.entered));
      chart.appendChild(bar);
      // A narrow bar cannot hold its label: put it beside the bar.
      var inside = width > 90;
      chart.appendChild(el("text", {
        class: "label", y: y + barHeight / 2 + 5,
        x: inside ? centre : centre + width / 2 + 6, "text-anchor": inside ? "middle" : "start"
      }, stage.stage.toUpperCase() + "  " + stage.entered));
      chart.appendChild(el("text", { class: "time", x: 500, y: y + barHeight / 2 + 5 },
        "time in stage: median " + hours(stage.timeInStage.medianHours) + ", p90 " + hours(stage.timeInStage.p90Hours)));
      if (stage.conversionToNext !== undefined) {
        chart.appendChild(el("text", { class: "conversion", x: centre, y: y + barHeight + 14, "text-anchor": "middle" },
          "↓ " + percent(stage.conversionToNext) + " (" + stage.convertedToNext + ")"));
      }
    });
    var exitsY = top + stages.length * rowHeight + 16;
    chart.appendChild(el("text", { class: "exits", x: 10, y: exitsY },
      "left the funnel: " + segment.exits.disqualified + " disqualified, " + segment.exits.recycled + " recycled"));
    table(segment);
  }

  function table(segment) {
    var head = document.querySelector("#funnel-table thead");
    var body = document.querySelector("#funnel-table tbody");
    head.textContent = "";
    body.textContent = "";
    var headings = ["stage", "entered", "to next", "conversion", "median time", "p90 time"];
    var row = document.createElement("tr");
    headings.forEach(function (text) { var th = document.createElement("th"); th.textContent = text; row.appendChild(th); });
    head.appendChild(row);
    segment.stages.forEach(function (stage) {
      var cells = [stage.stage, stage.entered, stage.convertedToNext === undefined ? "" : stage.convertedToNext,
        stage.conversionToNext === undefined ? "" : percent(stage.conversionToNext),
        hours(stage.timeInStage.medianHours), hours(stage.timeInStage.p90Hours)];
      var tr = document.createElement("tr");
      cells.forEach(function (text) { var td = document.createElement("td"); td.textContent = String(text); tr.appendChild(td); });
      body.appendChild(tr);
    });
  }

  function select(index) {
    Array.prototype.forEach.call(tabs.children, function (button, at) {
      button.setAttribute("aria-pressed", at === index ? "true" : "false");
    });
    draw(segments[index]);
  }

  document.getElementById("summary").textContent = view.transitions === 0
    ? "No stage changes between " + view.from + " and " + view.to + "."
    : view.total.leads + " leads, " + view.transitions + " stage changes between " + view.from + " and " + view.to + ".";
  if (view.transitions === 0) document.getElementById("summary").className = "empty";
  if (segments.length > 1) {
    segments.forEach(function (segment, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = index === 0 ? "all" : segment.key;
      button.addEventListener("click", function () { select(index); });
      tabs.appendChild(button);
    });
  }
  select(0);
  document.body.setAttribute("data-ready", "true");
})();
`;
