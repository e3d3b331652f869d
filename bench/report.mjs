// Markdown for a bench run (bench/run.mjs): the machine, the method and one table per question.
const n = (v) => (v === undefined || v === null || Number.isNaN(v) ? '–' : Number(v).toLocaleString('en-US'));
const ratio = (a, b) => (a && b ? `${(a / b).toFixed(2)}×` : '–');
const table = (head, rows) =>
  [
    `| ${head.join(' | ')} |`,
    `| ${head.map((_, i) => (i === 0 ? '---' : '--:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');

/** The first JSON line of a case, or null when it failed or did not run. */
const first = (r, group, name) => {
  const c = r.cases[group]?.[name];
  return c?.ok ? c.lines[0] : null;
};
const failed = (r, group, name) => {
  const c = r.cases[group]?.[name];
  return c && !c.ok ? `failed: ${String(c.error).split('\n').at(-1).slice(0, 80)}` : 'not run';
};

export function renderReport(r) {
  const out = [];
  const v = r.versions;
  out.push(
    `Run of ${r.date.slice(0, 16).replace('T', ' ')} UTC, commit ${v.commit}, ${r.seconds} s in all` +
      `${r.quick ? ' (quick: small N, fewer iterations — not for comparison)' : ''}. Machine: ${r.machine.cores} cores ` +
      `(${r.machine.cpu}), ${r.machine.memGiB} GiB, ${r.machine.os}; PostgreSQL ${v.postgres} on the same machine ` +
      `(fsync and synchronous_commit on). graphile-worker ${v['graphile-worker']}, pg-boss ${v['pg-boss']}.`,
    '',
    `Method: every case is its own process, one after another in this run, on the same PostgreSQL. Throughput: ` +
      `N = ${n(r.settings.N)} no-op jobs queued first (the peers insert in bulk, agent-queue through its enqueue), then drained by one ` +
      `process with ${r.settings.C} concurrent claim + complete loops; jobs/s is N over the drain time. Latency: a job ` +
      `enqueued every 10 ms to idle workers, ${r.settings.LAT_N} samples, enqueue → handler start. The compared ` +
      `throughput and latency cases all run under the peers' Node (${v.peers_node}), where agent-queue's SQLite is ` +
      `node:sqlite; the better-sqlite3 row, MCP, REST, worker runtime and cold start run under ${v.project_node}. ` +
      `SQLite runs with journal_mode WAL and synchronous FULL, as shipped.`,
    '',
  );
  const gw = first(r, 'tp', 'graphile-worker')?.jobs_per_s;
  const tpRow = (label, name, group = 'tp') => {
    const x = first(r, group, name);
    return [label, x ? n(x.jobs_per_s) : failed(r, group, name), x ? ratio(x.jobs_per_s, gw) : '–'];
  };
  const pgb = first(r, 'pgbench', 'pgbench')?.jobs_per_s;
  const aqPg = first(r, 'tp', 'agent-queue postgres')?.jobs_per_s;
  out.push(
    table(
      ['throughput, one job per claim / fetch', 'jobs/s', 'ratio to graphile-worker'],
      [
        tpRow('agent-queue, PostgreSQL', 'agent-queue postgres'),
        tpRow('graphile-worker', 'graphile-worker'),
        tpRow('agent-queue, SQLite file (node:sqlite)', 'agent-queue sqlite (node:sqlite)'),
        tpRow('agent-queue, SQLite file (better-sqlite3, Node 20)', 'agent-queue sqlite (better-sqlite3)'),
        [
          `pgbench, agent-queue's claim + complete SQL, ${r.settings.C} clients`,
          pgb ? n(pgb) : failed(r, 'pgbench', 'pgbench'),
          pgb ? ratio(pgb, gw) : '–',
        ],
        [
          'agent-queue, PostgreSQL, as a share of that pgbench ceiling',
          aqPg && pgb ? `${Math.round((aqPg / pgb) * 100)} %` : '–',
          '',
        ],
      ],
    ),
    '',
  );
  const gwb = first(r, 'batch', 'graphile-worker batched')?.jobs_per_s;
  const pbb = first(r, 'batch', 'pg-boss batch 20')?.jobs_per_s;
  const batchRow = (label, name) => {
    const x = first(r, 'batch', name)?.jobs_per_s;
    return [label, x ? n(x) : failed(r, 'batch', name), x ? ratio(x, gwb) : '–', x ? ratio(x, pbb) : '–'];
  };
  out.push(
    table(
      ['throughput, batched', 'jobs/s', 'ratio to graphile-worker batched', 'ratio to pg-boss batch 20'],
      [
        batchRow('agent-queue, PostgreSQL, claimBatch 20 + completeBatch', 'agent-queue postgres batch 20'),
        batchRow('agent-queue, PostgreSQL, claimBatch 100 + completeBatch', 'agent-queue postgres batch 100'),
        batchRow('agent-queue, SQLite file (node:sqlite), claimBatch 100', 'agent-queue sqlite batch 100'),
        batchRow(
          'graphile-worker, batched fetch (local queue 500) and completion',
          'graphile-worker batched',
        ),
        batchRow('pg-boss, batches of 20', 'pg-boss batch 20'),
      ],
    ),
    '',
  );
  const lat = (label, name) => {
    const x = first(r, 'latency', name);
    return [label, x ? `${x.p50_ms} ms` : failed(r, 'latency', name), x ? `${x.p99_ms} ms` : '–'];
  };
  const wake = r.cases.latency?.['wake-up (sqlite cross-process, postgres)'];
  const wakeRows = wake?.ok
    ? wake.lines.map((w) => [
        `agent-queue wake-up, ${w.backend}, producer ${w.producer}`,
        `${w.p50Ms} ms`,
        `${w.p99Ms} ms`,
      ])
    : [];
  out.push(
    table(
      ['latency, enqueue → handler start (idle workers)', 'p50', 'p99'],
      [
        lat('agent-queue, PostgreSQL (LISTEN/NOTIFY)', 'agent-queue postgres'),
        lat('agent-queue, SQLite, same process', 'agent-queue sqlite (same process)'),
        lat('graphile-worker', 'graphile-worker'),
        lat('pg-boss', 'pg-boss'),
        ...wakeRows,
      ],
    ),
    '',
  );
  const scaleRow = (backend) => {
    const x = first(r, 'scale', backend);
    if (!x) return [backend, failed(r, 'scale', backend), '', '', ''];
    const stale =
      x.large_stale_p50_ms !== undefined
        ? ` (before ANALYZE ${x.large_stale_p50_ms} / ${x.large_stale_p99_ms})`
        : '';
    return [
      backend,
      `${x.small_p50_ms} / ${x.small_p99_ms} ms`,
      `${x.large_p50_ms} / ${x.large_p99_ms} ms${stale}`,
      `${x.ratio_p50}× / ${x.ratio_p99}×`,
      `${n(x.large_rows.queued)} + ${n(x.large_rows.finished)} (${x.fill_s} s)`,
    ];
  };
  out.push(
    table(
      [
        'claim latency at scale, p50 / p99',
        `${n(1000)} queued`,
        'large',
        'ratio',
        'large: queued + finished (fill)',
      ],
      [scaleRow('postgres'), scaleRow('sqlite')],
    ),
    '',
  );
  const mcp = (b) => first(r, 'mcp', `round trip ${b}`);
  const ses = (b) => first(r, 'mcp', `sessions ${b}`);
  out.push(
    table(
      ['MCP over stdio', 'SQLite', 'PostgreSQL'],
      [
        [
          'queue_claim + queue_complete round trip, one session, p50 / p99',
          ...['sqlite', 'postgres'].map((b) =>
            mcp(b) ? `${mcp(b).p50} / ${mcp(b).p99} ms` : failed(r, 'mcp', `round trip ${b}`),
          ),
        ],
        [
          '10 concurrent sessions (10 server processes, one database): jobs/s',
          ...['sqlite', 'postgres'].map((b) =>
            ses(b) ? n(ses(b).jobs_per_s) : failed(r, 'mcp', `sessions ${b}`),
          ),
        ],
        [
          '10 concurrent sessions: round trip p50 / p99',
          ...['sqlite', 'postgres'].map((b) => (ses(b) ? `${ses(b).p50_ms} / ${ses(b).p99_ms} ms` : '–')),
        ],
      ],
    ),
    '',
  );
  const rest = (b) => first(r, 'rest', b);
  out.push(
    table(
      ['REST claim + complete, 10 clients, one serve', 'SQLite', 'PostgreSQL'],
      [
        [
          'round trip p50 / p99',
          ...['sqlite', 'postgres'].map((b) =>
            rest(b) ? `${rest(b).p50} / ${rest(b).p99} ms` : failed(r, 'rest', b),
          ),
        ],
        [
          'round trips/s',
          ...['sqlite', 'postgres'].map((b) => (rest(b) ? n(rest(b).roundTripsPerSecond) : '–')),
        ],
      ],
    ),
    '',
  );
  const cancel = r.cases.cancel?.both;
  if (cancel?.ok) {
    out.push(
      table(
        ['worker runtime: cancel → child process gone', 'p50', 'p99'],
        cancel.lines.map((c) => [
          `${c.backend}, push ${c.push ? 'on' : 'off (heartbeat only)'}`,
          `${c.p50} ms`,
          `${c.p99} ms`,
        ]),
      ),
      '',
    );
  } else out.push(`Worker runtime cancel: ${failed(r, 'cancel', 'both')}`, '');
  const cold = first(r, 'cold', 'stdio');
  out.push(
    table(
      ['MCP stdio server', 'figure'],
      cold
        ? [
            [
              `cold start to the first tools/list answer, median (p90), ${cold.node}`,
              `${cold.p50_ms} ms (${cold.p90_ms} ms)`,
            ],
            ['RSS after 2 s idle, median', `${cold.idle_rss_mb} MB`],
          ]
        : [['cold start', failed(r, 'cold', 'stdio')]],
    ),
  );
  return out.join('\n');
}
