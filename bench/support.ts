import { databaseUrl, dropDatabase, uniqueName, withAdmin } from '../test/support/postgres.ts';

/** Creates an empty database for one benchmark on the test server; returns its name. */
export async function benchDatabase(label: string): Promise<{ name: string; url: string }> {
  const name = uniqueName(`attain_bench_${label}`);
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}"`));
  return { name, url: databaseUrl(name) };
}

export { dropDatabase as dropBenchDatabase };

/** The process's peak resident memory so far (a high-water mark), in MB. */
export function peakRssMb(): number {
  return Math.round(process.resourceUsage().maxRSS / 1024);
}
