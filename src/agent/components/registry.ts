import type { ComponentDefinition } from '../component.js';
import { discoveryDocker } from './discovery-docker.js';
import { discoveryRelabel } from './discovery-relabel.js';
import { localFileMatch } from './local-file-match.js';
import { lokiProcess } from './loki-process/index.js';
import { lokiRelabel } from './loki-relabel.js';
import { lokiSourceDocker } from './loki-source-docker.js';
import { lokiSourceFile } from './loki-source-file.js';
import { lokiSourceJournal } from './loki-source-journal.js';
import { lokiWrite } from './loki-write.js';

/** Every component type an Alloy config may declare, by its Alloy name. */
export const COMPONENTS: ReadonlyMap<string, ComponentDefinition> = new Map(
  [
    discoveryDocker,
    discoveryRelabel,
    localFileMatch,
    lokiProcess,
    lokiRelabel,
    lokiSourceDocker,
    lokiSourceFile,
    lokiSourceJournal,
    lokiWrite,
  ].map((d) => [d.name, d]),
);
