/* cbcf-data site: offline search over window.CBCF_SEARCH (assets/search-<lang>.js). No network. */
(function () {
  "use strict";
  var input = document.getElementById("search-input");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var entries = window.CBCF_SEARCH;
  if (!input || !list || !status || !entries) {
    return;
  }
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var folded = entries.map(function (entry) { return fold(entry.title + " " + entry.text); });
  function run() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    list.textContent = "";
    if (!words.length) {
      status.textContent = "";
      return;
    }
    var found = entries.filter(function (entry, i) {
      return words.every(function (word) { return folded[i].indexOf(word) >= 0; });
    });
    found.slice(0, 200).forEach(function (entry) {
      var item = document.createElement("li");
      var kind = document.createElement("span");
      var link = document.createElement("a");
      kind.className = "type";
      kind.textContent = entry.type;
      link.href = entry.url;
      link.textContent = entry.title;
      item.appendChild(kind);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(link);
      if (entry.flag) {
        var flag = document.createElement("span");
        flag.className = "flag flag-inferred";
        flag.textContent = entry.flag;
        item.appendChild(document.createTextNode(" "));
        item.appendChild(flag);
      }
      list.appendChild(item);
    });
    status.textContent = found.length ? status.getAttribute("data-count").replace("{n}", String(found.length))
      : status.getAttribute("data-none");
  }
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) {
    input.value = query;
  }
  input.addEventListener("input", run);
  run();
})();
