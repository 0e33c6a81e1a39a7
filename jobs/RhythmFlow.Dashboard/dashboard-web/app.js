'use strict';
// The dashboard page: reads /api/* for the chosen day and state and draws every chart with ECharts.
// Each chart element gets data-points (how many data points it drew) and the body data-loaded (a counter) once a
// load finishes, so tests and people can tell a finished, non-empty render from a pending one.
(() => {
  const palette = ['#36d1a0', '#5b8ff9', '#f6bd16', '#e8684a', '#9270ca', '#6dc8ec', '#ff9d4d', '#269a99'];
  const genderColors = { M: '#5b8ff9', F: '#f582ae', Unknown: '#8e9ab3' };
  const levelColors = { free: '#5b8ff9', paid: '#36d1a0' };
  const number = new Intl.NumberFormat('en-US');
  const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
  const percent = new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 });
  const textColor = '#c9d2e3';
  const gridLine = '#243049';

  const dateInput = document.getElementById('date');
  const stateSelect = document.getElementById('state');
  const charts = {};
  let loads = 0;
  let loading = Promise.resolve();

  const chart = (name) => {
    if (!charts[name]) {
      charts[name] = echarts.init(document.querySelector(`[data-chart="${name}"]`), 'dark', { renderer: 'canvas' });
    }
    return charts[name];
  };

  const base = (option) => Object.assign({
    backgroundColor: 'transparent',
    color: palette,
    textStyle: { color: textColor },
    animationDuration: 500,
  }, option);

  const axis = (extra) => Object.assign({
    axisLine: { lineStyle: { color: gridLine } },
    splitLine: { lineStyle: { color: gridLine } },
    axisLabel: { color: textColor },
  }, extra);

  const draw = (name, option, points) => {
    const c = chart(name);
    if (points === 0) {
      c.setOption(base({ title: { text: 'Nothing for this selection', left: 'center', top: 'middle', textStyle: { color: '#8e9ab3', fontSize: 14, fontWeight: 'normal' } } }), true);
    } else {
      c.setOption(base(option), true);
    }
    c.getDom().dataset.points = String(points);
  };

  const get = async (path, params) => {
    const response = await fetch(`/api/${path}?${new URLSearchParams(params)}`);
    if (!response.ok) {
      const body = await response.json().catch(() => ({}));
      throw new Error(body.error || `${path}: HTTP ${response.status}`);
    }
    return response.json();
  };

  const duration = (seconds) => {
    if (seconds == null) return '–';
    const s = Math.round(seconds);
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h > 0 ? `${h}h ${m}m` : `${m}m ${s % 60}s`;
  };

  const big = (n) => (n >= 1e6 ? compact.format(n) : number.format(n));

  function setCard(metric, value, text) {
    const card = document.querySelector(`[data-metric="${metric}"]`);
    const el = card.querySelector('.value');
    el.dataset.value = value == null ? '' : String(value);
    el.textContent = text;
    return card;
  }

  function renderScorecards(s) {
    const card = setCard('streams', s.streams, big(s.streams));
    const delta = card.querySelector('.delta');
    if (s.streamsChange == null) {
      delta.textContent = `no streams on ${s.previousDate}`;
      delta.className = 'delta';
    } else {
      const up = s.streamsChange >= 0;
      delta.textContent = `${up ? '▲' : '▼'} ${percent.format(Math.abs(s.streamsChange))} vs ${s.previousDate} (${big(s.previousStreams)})`;
      delta.className = `delta ${up ? 'up' : 'down'}`;
    }
    delta.dataset.value = s.streamsChange == null ? '' : String(s.streamsChange);
    setCard('activeUsers', s.activeUsers, big(s.activeUsers));
    setCard('newUsers', s.newUsers, big(s.newUsers));
    setCard('paidShare', s.paidShare, s.paidShare == null ? '–' : percent.format(s.paidShare));
    setCard('sessions', s.sessions, big(s.sessions));
    setCard('medianSessionSeconds', s.medianSessionSeconds, duration(s.medianSessionSeconds));
  }

  function renderMap(states, selected) {
    const byCode = new Map(states.map((s) => [s.stateCode, s]));
    const max = Math.max(1, ...states.map((s) => s.streams));
    const data = window.US_STATE_TILES.map(([code, name, x, y]) => {
      const s = byCode.get(code);
      return {
        value: [x, y, s ? s.streams : 0],
        code, name, listeners: s ? s.listeners : 0,
        itemStyle: code === selected ? { borderColor: '#ffffff', borderWidth: 3 } : undefined,
      };
    });
    draw('map', {
      tooltip: { formatter: (p) => `<b>${p.data.name}</b><br>${number.format(p.data.value[2])} streams<br>${number.format(p.data.listeners)} listeners` },
      grid: { left: 4, right: 4, top: 4, bottom: 44, containLabel: false },
      xAxis: { type: 'category', data: [...Array(12).keys()], show: false },
      yAxis: { type: 'category', data: [...Array(8).keys()], inverse: true, show: false },
      visualMap: {
        min: 0, max, calculable: true, orient: 'horizontal', left: 'center', bottom: 0, itemHeight: 160,
        inRange: { color: ['#1e2a40', '#1f6f8b', '#36d1a0', '#d9f99d'] }, textStyle: { color: textColor },
        formatter: (v) => compact.format(v),
      },
      series: [{
        type: 'heatmap', data,
        label: { show: true, formatter: (p) => p.data.code, color: '#e7ecf5', fontWeight: 600, textShadowColor: '#000', textShadowBlur: 3 },
        itemStyle: { borderColor: '#0f1420', borderWidth: 3, borderRadius: 6 },
        emphasis: { itemStyle: { borderColor: '#fff', borderWidth: 2 } },
      }],
    }, states.length);
  }

  function renderRanking(name, rows, label) {
    const ordered = [...rows].reverse();
    draw(name, {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      grid: { left: 8, right: 48, top: 8, bottom: 8, containLabel: true },
      xAxis: axis({ type: 'value', axisLabel: { color: textColor, formatter: (v) => compact.format(v) } }),
      yAxis: axis({
        type: 'category', data: ordered.map(label),
        axisLabel: { color: textColor, width: 190, overflow: 'truncate' }, splitLine: { show: false },
      }),
      series: [{
        type: 'bar', data: ordered.map((r) => r.streams), barMaxWidth: 22, name: 'Streams',
        itemStyle: { borderRadius: [0, 6, 6, 0], color: new echarts.graphic.LinearGradient(0, 0, 1, 0, [{ offset: 0, color: '#1f6f8b' }, { offset: 1, color: '#36d1a0' }]) },
        label: { show: true, position: 'right', color: textColor, formatter: (p) => number.format(p.value) },
      }],
    }, rows.length);
  }

  function renderGender(rows) {
    const totals = {};
    rows.forEach((r) => { totals[r.gender] = (totals[r.gender] || 0) + r.activeUsers; });
    const data = Object.entries(totals).map(([gender, value]) => ({ name: gender, value, itemStyle: { color: genderColors[gender] || '#8e9ab3' } }));
    draw('gender', {
      tooltip: { trigger: 'item', formatter: (p) => `${p.name}: ${number.format(p.value)} (${p.percent}%)` },
      legend: { bottom: 0, textStyle: { color: textColor } },
      series: [{
        type: 'pie', radius: ['48%', '74%'], center: ['50%', '45%'], data,
        itemStyle: { borderColor: '#171e2e', borderWidth: 3 },
        label: { color: textColor, formatter: (p) => `${p.name}  ${p.percent}%` },
      }],
    }, data.length);
  }

  function renderLevel(rows) {
    const genders = [...new Set(rows.map((r) => r.gender))];
    const levels = ['free', 'paid'];
    const series = levels.map((level) => ({
      name: level, type: 'bar', stack: 'users', barMaxWidth: 60, itemStyle: { color: levelColors[level] },
      data: genders.map((g) => (rows.find((r) => r.gender === g && r.level === level) || { activeUsers: 0 }).activeUsers),
      label: { show: true, color: '#0f1420', fontWeight: 600, formatter: (p) => (p.value ? number.format(p.value) : '') },
    }));
    draw('level', {
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { bottom: 0, textStyle: { color: textColor } },
      grid: { left: 8, right: 16, top: 16, bottom: 36, containLabel: true },
      xAxis: axis({ type: 'category', data: genders, splitLine: { show: false } }),
      yAxis: axis({ type: 'value' }),
      series,
    }, rows.length);
  }

  function renderHourly(rows, scorecards) {
    const hours = rows.map((r) => `${String(r.hour).padStart(2, '0')}:00`);
    draw('hourly', {
      tooltip: { trigger: 'axis' },
      legend: { bottom: 0, textStyle: { color: textColor } },
      grid: { left: 8, right: 16, top: 16, bottom: 36, containLabel: true },
      xAxis: axis({ type: 'category', data: hours, boundaryGap: false, splitLine: { show: false } }),
      yAxis: axis({ type: 'value', axisLabel: { color: textColor, formatter: (v) => compact.format(v) } }),
      series: [
        {
          name: scorecards.date, type: 'line', smooth: true, smoothMonotone: 'x', symbolSize: 6, data: rows.map((r) => r.streams),
          lineStyle: { width: 3 }, areaStyle: { opacity: 0.15 },
        },
        {
          name: `${scorecards.previousDate} (previous day)`, type: 'line', smooth: true, smoothMonotone: 'x', symbol: 'none', data: rows.map((r) => r.previousStreams),
          lineStyle: { type: 'dashed', width: 2 }, itemStyle: { color: '#8e9ab3' },
        },
      ],
    }, rows.filter((r) => r.streams > 0 || r.previousStreams > 0).length);
  }

  function renderFunnel(f) {
    const steps = [
      { name: 'Free users', value: f.freeUsers },
      { name: 'Opened Upgrade', value: f.upgradePageUsers },
      { name: 'Upgraded', value: f.upgradedUsers },
    ];
    draw('funnel', {
      tooltip: { trigger: 'item', formatter: (p) => `${p.name}: ${number.format(p.value)}` },
      series: [{
        type: 'funnel', sort: 'none', left: '6%', width: '88%', top: 10, bottom: 10, minSize: '40%', gap: 4, data: steps,
        label: {
          position: 'inside', color: '#0f1420', fontWeight: 600,
          formatter: (p) => `${p.name}: ${number.format(p.value)}${p.dataIndex > 0 && f.freeUsers ? ` (${percent.format(p.value / f.freeUsers)})` : ''}`,
        },
        itemStyle: { borderWidth: 0 },
        color: ['#5b8ff9', '#f6bd16', '#36d1a0'],
      }],
    }, f.freeUsers > 0 ? steps.length : 0);
  }

  function renderTrends(rows) {
    const pct = (v) => (v == null ? null : Math.round(v * 10000) / 100);
    draw('trends', {
      tooltip: { trigger: 'axis', valueFormatter: (v) => (v == null ? '–' : `${v}%`) },
      legend: { bottom: 0, textStyle: { color: textColor } },
      grid: { left: 8, right: 16, top: 16, bottom: 36, containLabel: true },
      xAxis: axis({ type: 'category', data: rows.map((r) => r.date.slice(5)), splitLine: { show: false } }),
      yAxis: axis({ type: 'value', axisLabel: { color: textColor, formatter: '{value}%' } }),
      series: [
        { name: 'Conversion (upgraded / free)', type: 'line', smooth: true, data: rows.map((r) => pct(r.conversionRate)), itemStyle: { color: '#36d1a0' } },
        { name: 'Downgrades / paid', type: 'line', smooth: true, data: rows.map((r) => pct(r.downgradeRate)), itemStyle: { color: '#f6bd16' } },
        { name: 'Cancellations / active', type: 'line', smooth: true, data: rows.map((r) => pct(r.churnRate)), itemStyle: { color: '#e8684a' } },
      ],
    }, rows.length);
  }

  async function load() {
    const date = dateInput.value;
    const state = stateSelect.value;
    const params = state ? { date, state } : { date };
    history.replaceState(null, '', `?${new URLSearchParams(params)}`);
    try {
      const [scorecards, states, songs, artists, genderLevel, hourly, funnel, trends] = await Promise.all([
        get('scorecards', params), get('states', { date }), get('top-songs', params), get('top-artists', params),
        get('gender-level', params), get('hourly', params), get('funnel', params), get('trends', params),
      ]);
      renderScorecards(scorecards);
      renderMap(states, state);
      renderRanking('songs', songs, (r) => `${r.songTitle} — ${r.artistName}`);
      renderRanking('artists', artists, (r) => r.artistName);
      renderGender(genderLevel);
      renderLevel(genderLevel);
      renderHourly(hourly, scorecards);
      renderFunnel(funnel);
      renderTrends(trends);
      document.getElementById('error').hidden = true;
    } catch (e) {
      // The previous selection's numbers must not pass for this one's.
      document.querySelectorAll('[data-metric] .value').forEach((el) => { el.dataset.value = ''; el.textContent = '–'; });
      document.querySelectorAll('[data-metric] .delta').forEach((el) => { el.dataset.value = ''; el.textContent = ''; });
      const error = document.getElementById('error');
      error.textContent = `Could not load the dashboard: ${e.message}`;
      error.hidden = false;
    }
    document.body.dataset.filter = `${date}|${state}`;
    document.body.dataset.loaded = String(++loads);
  }

  const reload = () => { loading = loading.then(load); };

  async function start() {
    const meta = await get('meta', {});
    if (!meta.martsBuilt || meta.days.length === 0) {
      document.getElementById('empty-reason').textContent = meta.martsBuilt
        ? 'The marts are built but hold no days yet.'
        : 'The warehouse has no marts yet.';
      document.getElementById('empty').hidden = false;
      document.getElementById('controls').hidden = true;
      document.body.dataset.loaded = 'empty';
      return;
    }
    for (const s of meta.states) {
      stateSelect.add(new Option(`${s.name} (${s.code})`, s.code));
    }
    const query = new URLSearchParams(location.search);
    dateInput.min = meta.days[0];
    dateInput.max = meta.days[meta.days.length - 1];
    dateInput.value = meta.days.includes(query.get('date')) ? query.get('date') : dateInput.max;
    stateSelect.value = meta.states.some((s) => s.code === query.get('state')) ? query.get('state') : '';
    document.getElementById('dashboard').hidden = false;
    dateInput.addEventListener('change', () => { if (dateInput.value) reload(); });
    stateSelect.addEventListener('change', reload);
    chart('map').on('click', (p) => {
      // Only states with data have an option; a click on any other tile falls back to all states.
      stateSelect.value = stateSelect.value === p.data.code ? '' : p.data.code;
      reload();
    });
    window.addEventListener('resize', () => Object.values(charts).forEach((c) => c.resize()));
    reload();
  }

  start().catch((e) => {
    const error = document.getElementById('error');
    error.textContent = `Could not reach the dashboard's API: ${e.message}`;
    error.hidden = false;
  });
})();
