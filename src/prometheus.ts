/**
 * Prometheus metrics in the text exposition format (version 0.0.4), by hand: counters, gauges and
 * histograms with labels, plus collectors that refresh gauges from Redis or PostgreSQL at scrape
 * time. Small on purpose; attain exposes a few dozen series, not thousands.
 */

export type Labels = Record<string, string>;

interface Series {
  labels: Labels;
  value: number;
}

abstract class Metric {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  abstract readonly type: 'counter' | 'gauge' | 'histogram';

  constructor(name: string, help: string, labelNames: readonly string[]) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`invalid metric name "${name}"`);
    this.name = name;
    this.help = help;
    this.labelNames = labelNames;
  }

  protected key(labels: Labels): string {
    const extra = Object.keys(labels).filter((name) => !this.labelNames.includes(name));
    if (extra.length > 0) throw new Error(`${this.name}: unknown label ${extra.join(', ')}`);
    return this.labelNames.map((name) => labels[name] ?? '').join('\u0000');
  }

  abstract lines(): string[];

  render(): string {
    return [
      `# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`,
      `# TYPE ${this.name} ${this.type}`,
      ...this.lines(),
    ].join('\n');
  }
}

class ValueMetric extends Metric {
  readonly type: 'counter' | 'gauge';
  protected readonly series = new Map<string, Series>();

  constructor(type: 'counter' | 'gauge', name: string, help: string, labelNames: readonly string[]) {
    super(name, help, labelNames);
    this.type = type;
  }

  lines(): string[] {
    return [...this.series.values()].map(
      (series) => `${this.name}${formatLabels(series.labels)} ${formatNumber(series.value)}`,
    );
  }
}

export class Counter extends ValueMetric {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super('counter', name, help, labelNames);
  }

  inc(labels: Labels = {}, amount = 1): void {
    if (amount < 0) throw new Error(`${this.name}: a counter only goes up`);
    const key = this.key(labels);
    const series = this.series.get(key);
    if (series) series.value += amount;
    else this.series.set(key, { labels: { ...labels }, value: amount });
  }
}

export class Gauge extends ValueMetric {
  constructor(name: string, help: string, labelNames: readonly string[] = []) {
    super('gauge', name, help, labelNames);
  }

  set(labels: Labels, value: number): void {
    this.series.set(this.key(labels), { labels: { ...labels }, value });
  }

  /** Forgets every series: a collector that refills the gauge drops series that no longer exist. */
  reset(): void {
    this.series.clear();
  }
}

interface HistogramSeries {
  labels: Labels;
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Metric {
  readonly type = 'histogram' as const;
  readonly buckets: readonly number[];
  readonly #series = new Map<string, HistogramSeries>();

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  observe(labels: Labels, value: number): void {
    const key = this.key(labels);
    let series = this.#series.get(key);
    if (!series) {
      series = { labels: { ...labels }, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    this.buckets.forEach((bound, index) => {
      if (value <= bound) series.counts[index]! += 1;
    });
    series.sum += value;
    series.count += 1;
  }

  lines(): string[] {
    return [...this.#series.values()].flatMap((series) => [
      ...this.buckets.map(
        (bound, index) =>
          `${this.name}_bucket${formatLabels({ ...series.labels, le: formatNumber(bound) })} ${series.counts[index]}`,
      ),
      `${this.name}_bucket${formatLabels({ ...series.labels, le: '+Inf' })} ${series.count}`,
      `${this.name}_sum${formatLabels(series.labels)} ${formatNumber(series.sum)}`,
      `${this.name}_count${formatLabels(series.labels)} ${series.count}`,
    ]);
  }
}

/** Refreshes some gauges right before a scrape; a failing collector is reported, not fatal. */
export type Collector = () => Promise<void>;

export class MetricsRegistry {
  readonly #metrics: Metric[] = [];
  readonly #collectors: Array<{ name: string; collect: Collector }> = [];
  readonly #collectorErrors: Gauge;

  constructor() {
    this.#collectorErrors = this.gauge(
      'attain_metrics_collector_up',
      'Whether the last scrape-time refresh of this group of metrics worked (1) or failed (0)',
      ['collector'],
    );
  }

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.#add(new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.#add(new Gauge(name, help, labelNames));
  }

  histogram(
    name: string,
    help: string,
    labelNames: readonly string[],
    buckets: readonly number[],
  ): Histogram {
    return this.#add(new Histogram(name, help, labelNames, buckets));
  }

  /** `collect` runs before every scrape; its failure leaves its gauges as they were. */
  collector(name: string, collect: Collector): void {
    this.#collectors.push({ name, collect });
  }

  /** Runs the collectors, then renders every metric. */
  async render(): Promise<string> {
    await Promise.all(
      this.#collectors.map(async ({ name, collect }) => {
        try {
          await collect();
          this.#collectorErrors.set({ collector: name }, 1);
        } catch {
          this.#collectorErrors.set({ collector: name }, 0);
        }
      }),
    );
    return this.#metrics.map((metric) => metric.render()).join('\n') + '\n';
  }

  #add<M extends Metric>(metric: M): M {
    if (this.#metrics.some((known) => known.name === metric.name))
      throw new Error(`metric ${metric.name} registered twice`);
    this.#metrics.push(metric);
    return metric;
  }
}

/** The Content-Type of the text exposition format. */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

function formatLabels(labels: Labels): string {
  const pairs = Object.entries(labels).map(
    ([name, value]) => `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`,
  );
  return pairs.length > 0 ? `{${pairs.join(',')}}` : '';
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}
