/* The check-in page: camera scan (BarcodeDetector, else the portal's own jsQR), typed codes,
   name search and walk-ins. Every check-in is one POST; the server makes repeats harmless. */
(function () {
  "use strict";
  var door = document.getElementById("door");
  var text = JSON.parse(document.getElementById("door-messages").textContent);
  var csrf = document.querySelector("#code-form [name=csrfmiddlewaretoken]").value;
  var answer = document.getElementById("answer");
  var busy = {};
  var lastCode = "", lastAt = 0;

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, key) { return values[key] || ""; });
  }

  function post(url, data) {
    var body = new URLSearchParams(data);
    return fetch(url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (json) { json.httpStatus = response.status; return json; });
    });
  }

  function counts(c) {
    if (!c) return;
    document.getElementById("count-confirmed").textContent = c.confirmed;
    document.getElementById("count-checked-in").textContent = c.checked_in;
    document.getElementById("count-walk-ins").textContent = c.walk_ins;
  }

  function show(result) {
    var title = text[result.result] || text.invalid;
    var detail = result.company || "";
    if (result.result === "already") title = format(text.already, { time: result.checked_in_at });
    if (result.result === "wrong_event") detail = format(text.wrong_event_detail, { event: result.event });
    if (result.result === "invalid") detail = text.invalid_detail;
    answer.className = "answer answer-" + result.result;
    document.getElementById("answer-title").textContent = title;
    document.getElementById("answer-name").textContent = result.name || "";
    document.getElementById("answer-detail").textContent = detail;
    if (navigator.vibrate) navigator.vibrate(result.result === "checked_in" ? 80 : [60, 60, 60]);
    counts(result.counts);
  }

  function checkIn(code) {
    code = (code || "").trim();
    if (!code || busy[code]) return Promise.resolve();
    busy[code] = true;
    return post(door.dataset.checkIn, { code: code }).then(show, function () {
      answer.className = "answer answer-invalid";
      document.getElementById("answer-title").textContent = text.offline;
      document.getElementById("answer-name").textContent = code;
      document.getElementById("answer-detail").textContent = "";
    }).then(function () { delete busy[code]; });
  }

  document.getElementById("code-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("code");
    checkIn(input.value).then(function () { input.select(); });
  });

  // Name search -------------------------------------------------------------------------------
  var search = document.getElementById("search");
  var results = document.getElementById("search-results");
  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = search.value.trim();
      if (!q) { results.textContent = ""; return; }
      fetch(door.dataset.search + "?q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.json(); })
        .then(function (data) {
          results.textContent = "";
          counts(data.counts);
          if (!data.results.length) {
            var none = document.createElement("li");
            none.textContent = text.no_results;
            results.appendChild(none);
          }
          data.results.forEach(function (row) {
            var li = document.createElement("li");
            var who = document.createElement("span");
            who.className = "who";
            who.textContent = row.name + " · " + row.company;
            var state = document.createElement("span");
            state.className = "state";
            state.textContent = row.checked_in_at
              ? format(text.already, { time: row.checked_in_at })
              : (text.status[row.status] || row.status);
            li.appendChild(who);
            li.appendChild(state);
            if (!row.checked_in_at && (row.status === "confirmed")) {
              var button = document.createElement("button");
              button.type = "button";
              button.className = "door-button small";
              button.textContent = text.check_in;
              button.addEventListener("click", function () {
                checkIn(row.code).then(function () { search.dispatchEvent(new Event("input")); });
              });
              li.appendChild(button);
            }
            results.appendChild(li);
          });
        });
    }, 250);
  });

  // Walk-ins ----------------------------------------------------------------------------------
  var walkIn = document.getElementById("walk-in-form");
  walkIn.addEventListener("submit", function (event) {
    event.preventDefault();
    var error = document.getElementById("walk-in-error");
    error.textContent = "";
    post(door.dataset.walkIn, new FormData(walkIn)).then(function (result) {
      if (result.result === "error") {
        error.textContent = Object.keys(result.errors).map(function (k) { return result.errors[k]; }).join(" ");
        return;
      }
      show(result);
      walkIn.reset();
    }, function () { error.textContent = text.offline; });
  });

  // Camera ------------------------------------------------------------------------------------
  var video = document.getElementById("camera");
  var startButton = document.getElementById("camera-start");
  var note = document.getElementById("camera-note");
  var stream = null, detector = null, canvas = null, running = false;

  function found(code) {
    var now = Date.now();
    if (code === lastCode && now - lastAt < 3000) return;  // the same ticket held in view
    lastCode = code; lastAt = now;
    checkIn(code);
  }

  function loadJsQR() {
    if (window.jsQR) return Promise.resolve();
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = door.dataset.jsqr;
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function tick() {
    if (!running) return;
    if (video.readyState < 2) { requestAnimationFrame(tick); return; }
    if (detector) {
      detector.detect(video).then(function (codes) {
        if (codes.length) found(codes[0].rawValue);
        setTimeout(tick, 150);
      }, function () { setTimeout(tick, 300); });
      return;
    }
    canvas = canvas || document.createElement("canvas");
    var width = video.videoWidth, height = video.videoHeight;
    var scale = Math.min(1, 640 / Math.max(width, height));
    canvas.width = Math.round(width * scale);
    canvas.height = Math.round(height * scale);
    var context = canvas.getContext("2d", { willReadFrequently: true });
    context.drawImage(video, 0, 0, canvas.width, canvas.height);
    var image = context.getImageData(0, 0, canvas.width, canvas.height);
    var code = window.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
    if (code && code.data) found(code.data);
    setTimeout(tick, 150);
  }

  function stop() {
    running = false;
    if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
    stream = null;
    video.hidden = true;
    startButton.textContent = text.start;
  }

  startButton.addEventListener("click", function () {
    if (running) { stop(); return; }
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      note.hidden = false; note.textContent = text.no_camera; return;
    }
    var ready = ("BarcodeDetector" in window)
      ? window.BarcodeDetector.getSupportedFormats().then(function (formats) {
          if (formats.indexOf("qr_code") >= 0) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          else return loadJsQR();
        })
      : loadJsQR();
    ready.then(function () {
      return navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
    }).then(function (media) {
      stream = media;
      video.srcObject = media;
      video.hidden = false;
      note.hidden = false;
      note.textContent = text.scanning;
      startButton.textContent = text.stop;
      running = true;
      return video.play().then(tick);
    }).catch(function () {
      stop();
      note.hidden = false;
      note.textContent = text.no_camera;
    });
  });

  // Live counts from the other phones at the door.
  setInterval(function () {
    if (document.hidden) return;
    fetch(door.dataset.search + "?q=", { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (data) { counts(data.counts); }, function () {});
  }, 10000);
})();
