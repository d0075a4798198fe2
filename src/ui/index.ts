export { UiRole, type UiOptions, type StackStatusProvider } from './role.js';
export { loadProvisioning, type Provisioning, type Datasource } from './provisioning.js';
