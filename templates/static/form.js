// Conveniences only: the form works without this file.
(function () {
  var fold = function (s) { return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D'); };
  var select = document.getElementById('bank_bin');
  if (select) {
    // A search box above the bank list.
    var label = document.createElement('label');
    label.htmlFor = 'bank-search';
    label.textContent = select.getAttribute('data-search');
    var box = document.createElement('input');
    box.type = 'search';
    box.id = 'bank-search';
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(box, select);
    box.addEventListener('input', function () {
      var q = fold(box.value).toLowerCase(), first = null;
      for (var i = 1; i < select.options.length; i++) {
        var o = select.options[i], hit = fold(o.text).toLowerCase().indexOf(q) >= 0;
        o.hidden = !hit;
        if (hit && !first) first = o;
      }
      if (first && q) select.value = first.value;
    });
  }
  var holder = document.getElementById('holder_other');
  var live = document.getElementById('holder-live');
  if (holder && live) {
    // The name as the bank prints it, and at once whether it is nobody's the form knows.
    var words = function (s) { return fold(s).toUpperCase().trim().split(/\s+/).filter(Boolean).sort().join(' '); };
    var known = [live.getAttribute('data-self'), live.getAttribute('data-proxy')].filter(Boolean).map(words);
    var show = function () {
      var v = fold(holder.value).toUpperCase().trim().replace(/\s+/g, ' ');
      if (!v) { live.textContent = ''; return; }
      var msg = live.getAttribute('data-prints').replace('{name}', v);
      if (known.indexOf(words(v)) < 0) msg += ' ' + live.getAttribute('data-msg');
      live.textContent = msg;
    };
    holder.addEventListener('input', show);
    show();
  }
  var summary = document.getElementById('error-summary');
  if (summary) summary.focus();
})();
