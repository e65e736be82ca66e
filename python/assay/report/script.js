/* assay reports: sortable and searchable tables; collapsed details open while printing.
   Progressive enhancement: without scripts the tables are plain tables. Safe to run more than
   once on a page (notebook outputs each carry a copy): set-up tables are marked. */
(function () {
  "use strict";

  // Cells of number columns carry data-sort: a number, or "" for NaN / missing, which always
  // sorts last whatever the direction.
  function numberKey(cell) {
    var text = cell.getAttribute("data-sort");
    if (text === null || text === "") { return null; }
    var value = parseFloat(text);
    return isNaN(value) ? null : value;
  }

  function textKey(cell) {
    return (cell.textContent || "").trim();
  }

  function compare(a, b, numeric) {
    if (numeric) { return a < b ? -1 : a > b ? 1 : 0; }
    return a.localeCompare(b, undefined, { numeric: true, sensitivity: "base" });
  }

  function sortBy(table, column, header) {
    var numeric = header.getAttribute("data-type") === "number";
    var descending = header.getAttribute("aria-sort") === "ascending";
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows).map(function (row, index) {
      var cell = row.cells[column];
      return { row: row, index: index, key: numeric ? numberKey(cell) : textKey(cell) };
    });
    rows.sort(function (x, y) {
      var missingX = x.key === null || x.key === "";
      var missingY = y.key === null || y.key === "";
      if (missingX || missingY) {
        return missingX && missingY ? x.index - y.index : missingX ? 1 : -1;
      }
      var order = compare(x.key, y.key, numeric);
      return (descending ? -order : order) || x.index - y.index;
    });
    rows.forEach(function (item) { body.appendChild(item.row); });
    Array.prototype.forEach.call(header.parentNode.cells, function (th) { th.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", descending ? "descending" : "ascending");
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (header, column) {
      if (header.hasAttribute("data-nosort")) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.textContent = header.textContent;
      button.title = "Sort by " + header.textContent;
      header.textContent = "";
      header.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, column, header); });
    });
  }

  function makeSearchable(table, tools) {
    var input = tools.querySelector("input");
    var counter = tools.querySelector(".table-count");
    var rows = table.tBodies[0].rows;
    tools.hidden = false;
    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      var shown = 0;
      Array.prototype.forEach.call(rows, function (row) {
        var match = query === "" || (row.textContent || "").toLowerCase().indexOf(query) >= 0;
        row.hidden = !match;
        if (match) { shown += 1; }
      });
      counter.textContent = query === "" ? rows.length + " rows" : shown + " of " + rows.length + " rows";
    });
  }

  function setUp(root) {
    var tables = root.querySelectorAll("table[data-assay-table]:not([data-ready])");
    Array.prototype.forEach.call(tables, function (table) {
      table.setAttribute("data-ready", "");
      if (table.hasAttribute("data-sortable")) { makeSortable(table); }
      var block = table.closest(".table-block");
      var tools = block && block.querySelector(".table-tools");
      if (tools) { makeSearchable(table, tools); }
    });
  }

  // Printing shows every collapsed section; afterwards the reader's choice is restored.
  var openedForPrint = [];
  window.addEventListener("beforeprint", function () {
    openedForPrint = Array.prototype.filter.call(document.querySelectorAll(".assay-report details:not([open])"),
      function (details) { details.open = true; return true; });
  });
  window.addEventListener("afterprint", function () {
    openedForPrint.forEach(function (details) { details.open = false; });
    openedForPrint = [];
  });

  setUp(document);
})();
