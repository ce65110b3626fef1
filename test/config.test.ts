import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('has defaults for everything', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, host: '0.0.0.0', databaseUrl: undefined, logLevel: 'info', graphiql: true, metricsAllow: [], workers: 1 });
    expect(config.dataDir).toBe(path.resolve('.data'));
  });

  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgresql://app@db.internal:5432/registry',
      DATA_DIR: '/var/lib/gw',
      PUBLIC_URL: 'https://packages.example.com/',
      LOG_LEVEL: 'DEBUG',
      NODE_ENV: 'production',
      WORKERS: '4',
    });
    expect(config).toMatchObject({
      workers: 4,
      port: 8080,
      host: '127.0.0.1',
      databaseUrl: 'postgresql://app@db.internal:5432/registry',
      dataDir: '/var/lib/gw',
      publicUrl: 'https://packages.example.com',
      logLevel: 'debug',
      graphiql: false,
      exposeErrors: false,
    });
  });

  it.each([
    [{ PORT: 'abc' }, /^invalid configuration: PORT="abc" must be an integer from 0 to 65535$/],
    [{ PORT: '70000' }, /PORT="70000" must be an integer/],
    [{ WORKERS: '0' }, /^invalid configuration: WORKERS="0" must be an integer from 1 to 999$/],
    [{ WORKERS: 'two', DATABASE_URL: 'postgresql://a@b/c' }, /WORKERS="two" must be an integer/],
    [{ WORKERS: '2' }, /^invalid configuration: WORKERS=2 needs DATABASE_URL \(the embedded database is opened by one process only\)$/],
    [{ DATABASE_URL: 'mysql://x@y/z' }, /^invalid configuration: DATABASE_URL="mysql:\/\/x@y\/z" must be a postgresql:\/\/ URL/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL="not a url" must be a postgresql/],
    [{ PUBLIC_URL: 'ftp://x' }, /PUBLIC_URL="ftp:\/\/x" must be an http\(s\) URL/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL="loud"/],
    [{ METRICS_ALLOW: '10.0.0.0/8,intranet' }, /^invalid configuration: METRICS_ALLOW="10.0.0.0\/8,intranet" must be comma-separated CIDRs .*\("intranet" is not one\)$/],
    [{ METRICS_ALLOW: '10.0.0.0/33' }, /METRICS_ALLOW="10.0.0.0\/33" must be comma-separated CIDRs/],
    [{ METRICS_ALLOW: 'fd00::/129' }, /METRICS_ALLOW="fd00::\/129"/],
    [{ METRICS_ALLOW: '10.0.0/8' }, /METRICS_ALLOW="10.0.0\/8"/],
    [{ METRICS_ALLOW: '10.0.0.0/8/8' }, /METRICS_ALLOW=/],
    [{ METRICS_ALLOW: '10.0.0.0/-1' }, /METRICS_ALLOW=/],
  ])('rejects %o with a message naming it', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('stores package files under DATA_DIR/packages unless PACKAGE_STORAGE_PATH or PACKAGE_STORAGE_URL says otherwise', () => {
    expect(loadConfig({ DATA_DIR: '/var/lib/gw' }).packageStorage).toEqual({ kind: 'directory', path: '/var/lib/gw/packages' });
    expect(loadConfig({ PACKAGE_STORAGE_PATH: '/srv/files' }).packageStorage).toEqual({ kind: 'directory', path: '/srv/files' });
    expect(loadConfig({ PACKAGE_STORAGE_URL: 's3://registry' }).packageStorage).toEqual({
      kind: 's3',
      location: { bucket: 'registry', prefix: '', region: 'us-east-1', forcePathStyle: false },
    });
    expect(
      loadConfig({ PACKAGE_STORAGE_URL: 's3://AK:s%2Fcret@registry/gw/files?endpoint=http://minio:9000&region=eu-west-1' }).packageStorage,
    ).toEqual({
      kind: 's3',
      location: {
        bucket: 'registry',
        prefix: 'gw/files/',
        endpoint: 'http://minio:9000',
        region: 'eu-west-1',
        forcePathStyle: true,
        credentials: { accessKeyId: 'AK', secretAccessKey: 's/cret' },
      },
    });
    expect(loadConfig({ PACKAGE_STORAGE_URL: 's3://b?endpoint=https://s3.example&force_path_style=false' }).packageStorage).toMatchObject({
      location: { forcePathStyle: false },
    });
  });

  it('has documented defaults for the file limit and the cleanup, and reads them', () => {
    expect(loadConfig({})).toMatchObject({ maxPackageFileBytes: 5 * 1024 ** 3, packageCleanupDelaySeconds: 86400, packageCleanupIntervalSeconds: 300 });
    expect(
      loadConfig({ MAX_PACKAGE_FILE_BYTES: '1048576', PACKAGE_CLEANUP_DELAY_SECONDS: '0', PACKAGE_CLEANUP_INTERVAL_SECONDS: '0' }),
    ).toMatchObject({ maxPackageFileBytes: 1048576, packageCleanupDelaySeconds: 0, packageCleanupIntervalSeconds: 0 });
  });

  it.each([
    [{ PACKAGE_STORAGE_PATH: '/a', PACKAGE_STORAGE_URL: 's3://b' }, /PACKAGE_STORAGE_PATH and PACKAGE_STORAGE_URL are both set/],
    [{ PACKAGE_STORAGE_URL: 'https://bucket.s3.amazonaws.com' }, /PACKAGE_STORAGE_URL="https:\/\/bucket.s3.amazonaws.com" must be an s3:\/\/bucket URL/],
    [{ PACKAGE_STORAGE_URL: 's3://b?endpoint=minio:9000' }, /endpoint that is not an http\(s\) URL/],
    [{ PACKAGE_STORAGE_URL: 's3://b?bucket=c' }, /unknown parameter "bucket"/],
    [{ PACKAGE_STORAGE_URL: 's3://key@b' }, /both the access key and the secret/],
    [{ PACKAGE_STORAGE_URL: 's3://b?force_path_style=yes' }, /force_path_style that is not true or false/],
    [{ MAX_PACKAGE_FILE_BYTES: '0' }, /MAX_PACKAGE_FILE_BYTES="0" must be a positive integer \(bytes\)/],
    [{ MAX_PACKAGE_FILE_BYTES: '1GB' }, /MAX_PACKAGE_FILE_BYTES="1GB"/],
    [{ PACKAGE_CLEANUP_DELAY_SECONDS: '-1' }, /PACKAGE_CLEANUP_DELAY_SECONDS="-1" must be an integer/],
    [{ PACKAGE_CLEANUP_INTERVAL_SECONDS: '90000' }, /PACKAGE_CLEANUP_INTERVAL_SECONDS="90000" must be an integer from 0 to 86400/],
  ])('rejects the package storage settings %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it("has GitLab's 60 s statement timeout by default, 0 for none, and refuses other values", () => {
    expect(loadConfig({}).databaseStatementTimeoutSeconds).toBe(60);
    expect(loadConfig({ DATABASE_STATEMENT_TIMEOUT_SECONDS: '0' }).databaseStatementTimeoutSeconds).toBe(0);
    expect(loadConfig({ DATABASE_STATEMENT_TIMEOUT_SECONDS: '5' }).databaseStatementTimeoutSeconds).toBe(5);
    expect(() => loadConfig({ DATABASE_STATEMENT_TIMEOUT_SECONDS: '1.5' })).toThrow(/DATABASE_STATEMENT_TIMEOUT_SECONDS="1.5" must be an integer from 0 to 86400/);
  });

  it('exposes unexpected errors only when EXPOSE_ERRORS says so, whatever NODE_ENV is', () => {
    for (const NODE_ENV of [undefined, 'development', 'test', 'production']) expect(loadConfig({ NODE_ENV }).exposeErrors).toBe(false);
    expect(loadConfig({ EXPOSE_ERRORS: 'true' }).exposeErrors).toBe(true);
    expect(loadConfig({ EXPOSE_ERRORS: 'true', NODE_ENV: 'production' }).exposeErrors).toBe(true);
    expect(() => loadConfig({ EXPOSE_ERRORS: 'maybe' })).toThrow(/EXPOSE_ERRORS="maybe" must be true or false/);
  });

  it('reads METRICS_ALLOW: IPv4 and IPv6 CIDRs, bare addresses as one host, blanks ignored', () => {
    expect(loadConfig({ METRICS_ALLOW: ' 10.0.0.0/8, fd00::/8 ,192.168.1.5,,2001:db8::1 ' }).metricsAllow).toEqual([
      '10.0.0.0/8',
      'fd00::/8',
      '192.168.1.5/32',
      '2001:db8::1/128',
    ]);
    expect(loadConfig({ METRICS_ALLOW: ' ' }).metricsAllow).toEqual([]);
    expect(loadConfig({ METRICS_ALLOW: '0.0.0.0/0,::/0' }).metricsAllow).toEqual(['0.0.0.0/0', '::/0']);
  });

  it.each([
    ['PORT', 'eighty', 'PORT="eighty" must be an integer'],
    ['DATABASE_URL', 'sqlite:./db', 'DATABASE_URL="sqlite:./db" must be a postgresql:// URL'],
  ])('a bad %s stops startup with a one-line message', (name, value, message) => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
      env: { ...process.env, [name]: value },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
  });

  it('an unusable package storage stops startup with a one-line message', () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'pgw-storage-start-'));
    try {
      const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve'], {
        env: { ...process.env, DATA_DIR: dataDir, PORT: '0', SEED_DEMO: 'false', PACKAGE_STORAGE_URL: 's3://K:S@nobucket?endpoint=http://127.0.0.1:9' },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(result.status).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^package storage: bucket s3:\/\/nobucket\/ at http:\/\/127\.0\.0\.1:9 is not usable/);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
