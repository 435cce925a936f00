import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../../src/prometheus.ts';

describe('MetricsRegistry', () => {
  it('renders counters, gauges and histograms in the text exposition format', async () => {
    const registry = new MetricsRegistry();
    const jobs = registry.counter('attain_test_jobs_total', 'Jobs done', ['queue']);
    const lag = registry.gauge('attain_test_lag_seconds', 'Lag', ['object']);
    const duration = registry.histogram('attain_test_duration_seconds', 'Durations', ['queue'], [1, 0.5]);
    jobs.inc({ queue: 'extract' });
    jobs.inc({ queue: 'extract' }, 2);
    lag.set({ object: 'Lead "quoted"\\path\nnext' }, 1.5);
    duration.observe({ queue: 'kpis' }, 0.2);
    duration.observe({ queue: 'kpis' }, 0.7);
    duration.observe({ queue: 'kpis' }, 3);
    expect(await registry.render()).toBe(
      [
        '# HELP attain_metrics_collector_up Whether the last scrape-time refresh of this group of metrics worked (1) or failed (0)',
        '# TYPE attain_metrics_collector_up gauge',
        '# HELP attain_test_jobs_total Jobs done',
        '# TYPE attain_test_jobs_total counter',
        'attain_test_jobs_total{queue="extract"} 3',
        '# HELP attain_test_lag_seconds Lag',
        '# TYPE attain_test_lag_seconds gauge',
        'attain_test_lag_seconds{object="Lead \\"quoted\\"\\\\path\\nnext"} 1.5',
        '# HELP attain_test_duration_seconds Durations',
        '# TYPE attain_test_duration_seconds histogram',
        'attain_test_duration_seconds_bucket{queue="kpis",le="0.5"} 1',
        'attain_test_duration_seconds_bucket{queue="kpis",le="1"} 2',
        'attain_test_duration_seconds_bucket{queue="kpis",le="+Inf"} 3',
        'attain_test_duration_seconds_sum{queue="kpis"} 3.9',
        'attain_test_duration_seconds_count{queue="kpis"} 3',
        '',
      ].join('\n'),
    );
  });

  it('refreshes gauges from collectors at scrape time and reports a failing collector', async () => {
    const registry = new MetricsRegistry();
    const gauge = registry.gauge('attain_test_rows', 'Rows', ['table']);
    let rows = 3;
    registry.collector('rows', async () => {
      gauge.reset();
      gauge.set({ table: 'runs' }, rows);
    });
    registry.collector('broken', async () => {
      throw new Error('redis is down');
    });
    expect(await registry.render()).toContain('attain_test_rows{table="runs"} 3');
    rows = 4;
    const text = await registry.render();
    expect(text).toContain('attain_test_rows{table="runs"} 4');
    expect(text).toContain('attain_metrics_collector_up{collector="rows"} 1');
    expect(text).toContain('attain_metrics_collector_up{collector="broken"} 0');
  });

  it('refuses what would make an invalid exposition', () => {
    const registry = new MetricsRegistry();
    expect(() => registry.counter('attain-bad', 'x')).toThrow(/invalid metric name/);
    const counter = registry.counter('attain_ok_total', 'x', ['queue']);
    expect(() => counter.inc({ state: 'x' })).toThrow(/unknown label state/);
    expect(() => counter.inc({ queue: 'x' }, -1)).toThrow(/only goes up/);
    expect(() => registry.gauge('attain_ok_total', 'again')).toThrow(/registered twice/);
  });
});
