import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadYaml, type YamlSchema } from '../common/yaml-schema.js';

/**
 * Grafana's provisioning files (`provisioning/datasources/*.yml`,
 * `provisioning/dashboards/*.yml`), validated against the keys Grafana 11
 * reads, so a typo is an error at start rather than a silently missing source.
 */
export interface Datasource {
  name: string;
  type: string;
  uid?: string;
  url?: string;
  isDefault?: boolean;
}

export interface DashboardProvider {
  name: string;
  folder?: string;
  options: { path: string };
}

export interface Provisioning {
  datasources: Datasource[];
  dashboardProviders: DashboardProvider[];
}

const any = { type: 'any' } as const;
const str = { type: 'string' } as const;
const bool = { type: 'bool' } as const;
const int = { type: 'int' } as const;

const DATASOURCES: YamlSchema = {
  type: 'object',
  fields: {
    apiVersion: int,
    datasources: {
      type: 'list',
      items: {
        type: 'object',
        fields: {
          name: str,
          type: str,
          uid: str,
          orgId: int,
          access: { type: 'enum', values: ['proxy', 'direct'] },
          url: str,
          user: str,
          database: str,
          basicAuth: bool,
          basicAuthUser: str,
          withCredentials: bool,
          isDefault: bool,
          jsonData: any,
          secureJsonData: any,
          version: int,
          editable: bool,
        },
      },
    },
    deleteDatasources: {
      type: 'list',
      items: { type: 'object', fields: { name: str, orgId: int } },
    },
    prune: bool,
  },
};

const DASHBOARDS: YamlSchema = {
  type: 'object',
  fields: {
    apiVersion: int,
    providers: {
      type: 'list',
      items: {
        type: 'object',
        fields: {
          name: str,
          orgId: int,
          folder: str,
          folderUid: str,
          type: { type: 'enum', values: ['file'] },
          disableDeletion: bool,
          editable: bool,
          updateIntervalSeconds: int,
          allowUiUpdates: bool,
          options: { type: 'object', fields: { path: str, foldersFromFilesStructure: bool } },
        },
      },
    },
  },
};

export async function loadProvisioning(dir: string): Promise<Provisioning> {
  const result: Provisioning = { datasources: [], dashboardProviders: [] };
  for (const file of await yamlFiles(join(dir, 'datasources'))) {
    const doc = loadYaml({ file, text: await readFile(file, 'utf8') }, DATASOURCES) as {
      datasources?: Datasource[];
    };
    result.datasources.push(...(doc.datasources ?? []));
  }
  for (const file of await yamlFiles(join(dir, 'dashboards'))) {
    const doc = loadYaml({ file, text: await readFile(file, 'utf8') }, DASHBOARDS) as {
      providers?: DashboardProvider[];
    };
    result.dashboardProviders.push(...(doc.providers ?? []));
  }
  return result;
}

async function yamlFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names
    .filter((n) => n.endsWith('.yml') || n.endsWith('.yaml'))
    .sort()
    .map((n) => join(dir, n));
}
