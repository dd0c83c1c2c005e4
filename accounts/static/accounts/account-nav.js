// On a narrow screen the account menu is one row of tabs that scrolls sideways
// (accounts.css). This starts the row scrolled so that the current page's tab is
// in view; without the script the row starts at its first tab.
(function () {
  "use strict";
  var nav = document.querySelector(".account-nav");
  var tab = nav && nav.querySelector("[aria-current]");
  if (!tab || nav.scrollWidth <= nav.clientWidth) return;
  var row = nav.getBoundingClientRect();
  var box = tab.getBoundingClientRect();
  if (box.left >= row.left && box.right <= row.right) return;
  nav.scrollLeft += box.left - row.left - (row.width - box.width) / 2;
})();
