// Upload page: drop files or folders, send each with its own progress bar, then follow
// its ingestion state (stored -> extracting -> indexed | failed) until it is done.
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form) { return; }
  var MSG = JSON.parse(form.dataset.messages);
  var LABELS = JSON.parse(form.dataset.labels);
  var LIMIT = parseInt(form.dataset.limitMb, 10) * 1024 * 1024;
  var ACTIVE = ["stored", "queued", "extracting"];
  var PARALLEL = 3;
  var list = document.querySelector("#upload-list tbody");
  var zone = document.getElementById("dropzone");
  var waiting = [];
  var sending = 0;
  var tracked = {};  // version id -> row

  function humanSize(n) {
    if (n < 1024) { return n + " B"; }
    if (n < 1048576) { return (n / 1024).toFixed(1) + " KB"; }
    return (n / 1048576).toFixed(1) + " MB";
  }

  function setState(row, state, text) {
    var badge = row.querySelector(".state");
    badge.className = "state state-" + state;
    badge.dataset.state = state;
    badge.textContent = text || MSG[state] || state;
  }

  function addRow(file) {
    document.getElementById("upload-empty").hidden = true;
    var row = document.createElement("tr");
    row.className = "upload-row";
    row.innerHTML = '<td class="fname"></td><td class="num"></td><td class="category"></td>' +
      '<td class="progress-col"><div class="bar"><div class="fill"></div></div></td>' +
      '<td><span class="state"></span><div class="reason"></div></td><td class="link-col"></td>';
    row.querySelector(".fname").textContent = file.relativePath || file.name;
    row.querySelector(".num").textContent = humanSize(file.size);
    row.dataset.name = file.name;
    list.appendChild(row);
    setState(row, "waiting", "…");
    return row;
  }

  // The category a file is filed under: the one chosen above, else the app's suggestion
  // (from the file name now, from its text once extracted), marked as such.
  function showCategory(row, category, subtype, suggested) {
    var cell = row.querySelector(".category");
    cell.textContent = (LABELS[category] || category) + (subtype ? " · " + (LABELS[subtype] || subtype) : "");
    cell.dataset.category = category;
    cell.dataset.subtype = subtype || "";
    cell.title = suggested ? MSG.suggested_hint : "";
    if (suggested) {
      var badge = document.createElement("span");
      badge.className = "badge suggested";
      badge.textContent = MSG.suggested;
      cell.appendChild(document.createTextNode(" "));
      cell.appendChild(badge);
    }
  }

  function suggestCategory(row, file) {
    var chosen = document.getElementById("category").value;
    if (chosen) {
      showCategory(row, chosen, document.getElementById("subtype").value, false);
      return;
    }
    fetch(form.dataset.suggest + "?filename=" + encodeURIComponent(file.name),
          { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (s) {
        if (s && !row.querySelector(".category").dataset.category) {
          showCategory(row, s.category, s.subtype, true);
        }
      })
      .catch(function () {});
  }

  function fail(row, reason, state) {
    setState(row, state || "failed", MSG[state || "rejected"]);
    row.querySelector(".reason").textContent = reason;
    row.querySelector(".fill").classList.add("error");
    summary();
  }

  function finishSend(row, xhr) {
    var body = {};
    try { body = JSON.parse(xhr.responseText); } catch (e) { body = {}; }
    if (xhr.status === 201 || xhr.status === 200) {
      row.querySelector(".fill").style.width = "100%";
      var link = document.createElement("a");
      link.href = form.dataset.docUrl.replace(/0$/, String(body.document_id));
      link.textContent = MSG.open;
      row.querySelector(".link-col").appendChild(link);
      row.dataset.documentId = body.document_id;
      if (body.duplicate) {
        setState(row, "duplicate");
        row.querySelector(".reason").textContent = MSG.duplicate_of
          .replace("{version}", body.version).replace("{document}", body.document_id);
        fetchStates([body.version_id]);  // filed already: show where, not a fresh suggestion
      } else {
        tracked[body.version_id] = row;
        setState(row, body.state);
      }
    } else {
      var message = (body.error && body.error.message) || ("HTTP " + xhr.status);
      fail(row, message);
    }
    summary();
  }

  function send(item) {
    var file = item.file, row = item.row;
    sending += 1;
    var data = new FormData(form);
    data.append("file", file, file.name);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.dataset.endpoint);
    xhr.setRequestHeader("X-CSRFToken", window.docservice.csrfToken);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (event) {
      if (event.lengthComputable) {
        row.querySelector(".fill").style.width = Math.round(100 * event.loaded / event.total) + "%";
      }
    };
    xhr.onload = function () { sending -= 1; finishSend(row, xhr); pump(); };
    xhr.onerror = function () { sending -= 1; fail(row, "network error"); pump(); };
    setState(row, "sending");
    xhr.send(data);
  }

  function pump() {
    while (sending < PARALLEL && waiting.length) { send(waiting.shift()); }
  }

  function enqueue(files) {
    files.forEach(function (file) {
      var row = addRow(file);
      suggestCategory(row, file);
      if (file.size > LIMIT) { fail(row, MSG.too_large, "failed"); return; }
      waiting.push({ file: file, row: row });
    });
    pump();
    summary();
  }

  function summary() {
    var counts = {};
    list.querySelectorAll(".state").forEach(function (b) {
      var s = b.dataset.state || "waiting";
      counts[s] = (counts[s] || 0) + 1;
    });
    document.getElementById("upload-summary").textContent = Object.keys(counts).map(function (k) {
      return (MSG[k] || k) + ": " + counts[k];
    }).join(" · ");
  }

  function fetchStates(ids) {
    return fetch(form.dataset.states + "?version_ids=" + ids.join(","), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        (data.versions || []).forEach(function (v) {
          var row = tracked[v.version_id];
          if (!row) {  // a duplicate: only where the file is filed
            list.querySelectorAll(".upload-row").forEach(function (r) {
              if (r.dataset.documentId === String(v.document_id)) {
                showCategory(r, v.category, v.subtype, v.category_suggested);
              }
            });
            return;
          }
          setState(row, v.state, (MSG[v.state] || v.state) + (v.progress ? " · " + v.progress : ""));
          showCategory(row, v.category, v.subtype, v.category_suggested);
          row.querySelector(".reason").textContent = v.reason || "";
        });
        summary();
      });
  }

  function poll() {
    var ids = Object.keys(tracked).filter(function (id) {
      return ACTIVE.indexOf(tracked[id].querySelector(".state").dataset.state) >= 0;
    });
    if (!ids.length) { window.setTimeout(poll, 1000); return; }
    fetchStates(ids)
      .then(function () { window.setTimeout(poll, 1000); })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  // Folders dropped on the page: walk their entries (hidden files are skipped).
  function walk(entry, path) {
    return new Promise(function (resolve) {
      if (entry.name.charAt(0) === ".") { resolve([]); return; }
      if (entry.isFile) {
        entry.file(function (file) { file.relativePath = path + file.name; resolve([file]); },
                   function () { resolve([]); });
        return;
      }
      var reader = entry.createReader(), all = [];
      (function readMore() {
        reader.readEntries(function (entries) {
          if (!entries.length) {
            Promise.all(all).then(function (lists) { resolve([].concat.apply([], lists)); });
            return;
          }
          entries.forEach(function (child) { all.push(walk(child, path + entry.name + "/")); });
          readMore();
        }, function () { resolve([]); });
      })();
    });
  }

  function dropped(event) {
    var items = event.dataTransfer.items;
    var entries = [];
    if (items && items.length && items[0].webkitGetAsEntry) {
      for (var i = 0; i < items.length; i += 1) {
        var entry = items[i].webkitGetAsEntry && items[i].webkitGetAsEntry();
        if (entry) { entries.push(entry); }
      }
    }
    if (entries.length && entries.some(function (e) { return e.isDirectory; })) {
      Promise.all(entries.map(function (e) { return walk(e, ""); })).then(function (lists) {
        enqueue([].concat.apply([], lists));
      });
    } else {
      enqueue(Array.prototype.slice.call(event.dataTransfer.files));
    }
  }

  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function (e) { e.preventDefault(); zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", dropped);
  ["file-input", "folder-input"].forEach(function (id) {
    var input = document.getElementById(id);
    input.addEventListener("change", function () {
      enqueue(Array.prototype.slice.call(input.files).filter(function (f) {
        return f.name.charAt(0) !== ".";
      }));
      input.value = "";
    });
  });

  // Subtypes follow the category; custom visibility asks for names.
  var category = document.getElementById("category"), subtype = document.getElementById("subtype");
  function syncSubtypes() {
    Array.prototype.forEach.call(subtype.options, function (opt) {
      opt.hidden = !!opt.dataset.category && opt.dataset.category !== category.value;
    });
    if (subtype.selectedOptions[0] && subtype.selectedOptions[0].hidden) { subtype.value = ""; }
  }
  category.addEventListener("change", syncSubtypes);
  syncSubtypes();
  var visibility = document.getElementById("visibility");
  visibility.addEventListener("change", function () {
    form.querySelector(".grants").hidden = visibility.value !== "custom";
  });
  window.setTimeout(poll, 1000);
})();
