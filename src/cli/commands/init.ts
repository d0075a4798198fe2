import { resolve } from 'node:path';
import { defaultAlloyText } from '../../stack/config-dir.js';
import { DEFAULT_CONFIG_DIR } from '../../stack/defaults.js';
import { initConfigDir } from '../../stack/init/index.js';
import { loadDoors } from '../../stack/modules.js';

export async function initCommand(positional: string[]): Promise<number> {
  const dir = resolve(positional[0] ?? DEFAULT_CONFIG_DIR);
  const result = await initConfigDir(dir, defaultAlloyText(await loadDoors()));
  for (const file of result.written) process.stdout.write(`wrote ${file}\n`);
  for (const file of result.kept) process.stdout.write(`kept  ${file} (exists; not overwritten)\n`);
  process.stdout.write(
    `\nConfig directory ${dir} is ready.\n` +
      `The UI admin password is in ${dir}/.env (mode 600).\n` +
      `Start the stack with: obs up --config-dir ${dir}\n`,
  );
  return 0;
}
