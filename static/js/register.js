// The registration form's colleague picker: ticking a known person fills the
// first empty row at once, unticking clears the row they filled. Without this
// script the ticked people are posted, and the page comes back with them in
// the empty rows (the "add" button); with it, the ticks are not posted.
(function () {
  "use strict";
  var picker = document.querySelector("[data-picker]");
  if (!picker) return;
  var form = picker.closest("form");
  var rows = Array.prototype.slice.call(form.querySelectorAll("[data-attendee-row]"));
  var status = picker.querySelector("[data-picker-status]");
  var add = picker.querySelector("[data-picker-add]");
  var FIELDS = ["name", "title", "phone", "email"];

  function input(row, field) {
    return row.querySelector('[name$="-' + field + '"]');
  }

  function mobile(text) {
    var digits = (text || "").replace(/\D/g, "").replace(/^(?:00)?86(?=1\d{10}$)/, "");
    return /^1[3-9]\d{9}$/.test(digits) ? digits : "";
  }

  function isBlank(row) {
    return FIELDS.every(function (field) {
      var element = input(row, field);
      return !element || !element.value.trim();
    });
  }

  function rowOf(person) {
    return rows.filter(function (row) {
      if (person.phone) return mobile(input(row, "phone").value) === person.phone;
      return input(row, "name").value.trim() === person.name;
    })[0];
  }

  function fill(row, person) {
    FIELDS.forEach(function (field) {
      var element = input(row, field);
      if (element) element.value = person[field] || "";
    });
  }

  var boxes = Array.prototype.slice.call(picker.querySelectorAll('input[name="pick"]'));
  boxes.forEach(function (box) {
    box.removeAttribute("name"); // the rows carry the people now
    box.addEventListener("change", function () {
      var person = box.dataset;
      status.textContent = "";
      if (box.checked) {
        if (rowOf(person)) return;
        var row = rows.filter(isBlank)[0];
        if (!row) {
          box.checked = false;
          status.textContent = picker.dataset.full;
          return;
        }
        fill(row, person);
      } else {
        var filled = rowOf(person);
        if (filled && input(filled, "name").value.trim() === person.name) fill(filled, {});
      }
    });
  });
  if (add) add.hidden = true;
})();
