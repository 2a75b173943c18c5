// Conveniences only: the form works without this file.
(function () {
  var select = document.getElementById('bank_bin');
  if (select) {
    // A search box above the bank list.
    var label = document.createElement('label');
    label.htmlFor = 'bank-search';
    label.textContent = 'Tìm ngân hàng (gõ vài chữ của tên)';
    var box = document.createElement('input');
    box.type = 'search';
    box.id = 'bank-search';
    select.parentNode.insertBefore(label, select);
    select.parentNode.insertBefore(box, select);
    var fold = function (s) { return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/gi, 'd').toLowerCase(); };
    box.addEventListener('input', function () {
      var q = fold(box.value), first = null;
      for (var i = 1; i < select.options.length; i++) {
        var o = select.options[i], hit = fold(o.text).indexOf(q) >= 0;
        o.hidden = !hit;
        if (hit && !first) first = o;
      }
      if (first && q) select.value = first.value;
    });
  }
  var holder = document.getElementById('account_name');
  if (holder) {
    // Show the name as the bank prints it.
    var out = document.createElement('p');
    out.className = 'hint';
    out.setAttribute('aria-live', 'polite');
    holder.parentNode.insertBefore(out, holder.nextSibling);
    var show = function () {
      var v = holder.value.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toUpperCase().trim();
      out.textContent = v ? 'Ngân hàng in: ' + v : '';
    };
    holder.addEventListener('input', show);
    show();
  }
  var proxy = document.querySelector('fieldset.proxy');
  var radios = document.querySelectorAll('input[name=submitter]');
  if (proxy && radios.length) {
    var toggle = function () { proxy.hidden = !document.querySelector('input[name=submitter][value=proxy]').checked; };
    for (var j = 0; j < radios.length; j++) radios[j].addEventListener('change', toggle);
    toggle();
  }
})();
