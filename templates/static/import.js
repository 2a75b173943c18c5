// Conveniences only: without this file the progress page refreshes itself.
(function () {
  var job = document.getElementById('job');
  var bar = document.getElementById('job-progress');
  var count = document.getElementById('job-count');
  if (!job || !bar || !window.fetch) return;
  var tick = function () {
    fetch(job.getAttribute('data-progress'), { credentials: 'same-origin', headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (p) {
        if (!p) return;
        if (p.status !== 'running') { window.location.reload(); return; }
        var pct = p.total > 0 ? Math.floor(p.done * 100 / p.total) : 0;
        bar.max = p.total > 0 ? p.total : 1;
        bar.value = p.done;
        bar.textContent = pct + '%';
        count.textContent = 'Đã xử lý ' + p.done + ' / ' + p.total + ' dòng (' + pct + '%), ' + p.errors + ' dòng lỗi.';
        setTimeout(tick, 1000);
      })
      .catch(function () { setTimeout(tick, 3000); });
  };
  setTimeout(tick, 1000);
})();
