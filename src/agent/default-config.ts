/**
 * The seed's `alloy-config.alloy`: Docker logs, the systemd journal, the
 * `_logs` and `_telemetry` files and the CodeSwarm MCP logs, all labelled
 * `env="sandbox"` and `host` by loki.process.main and written to the logs
 * role. The same text runs in obs and in a real Alloy container.
 */
export function defaultAlloyConfig(opts: { home: string; hostname: string }): string {
  const q = (s: string) => JSON.stringify(s);
  return `// obs agent config, in Alloy syntax. Comments are // or /* */, never #.

// ---- The home directory whose files are collected: change it here only. ----
discovery.relabel "home" {
  targets = [{ dir = ${q(opts.home)} }]
}

// ---- Docker containers: job "dockerlogs" ----
discovery.docker "containers" {
  host = "unix:///var/run/docker.sock"
}

discovery.relabel "containers" {
  targets = discovery.docker.containers.targets

  rule {
    source_labels = ["__meta_docker_container_name"]
    regex         = "/(.*)"
    target_label  = "container_name"
  }

  rule {
    source_labels = ["__meta_docker_container_image"]
    target_label  = "image"
  }

  rule {
    source_labels = ["__meta_docker_container_label_com_docker_compose_project"]
    target_label  = "compose_project"
  }
}

loki.source.docker "containers" {
  host       = "unix:///var/run/docker.sock"
  targets    = discovery.relabel.containers.output
  labels     = { job = "dockerlogs" }
  forward_to = [loki.process.main.receiver]
}

// ---- The systemd journal ----
loki.relabel "journal" {
  forward_to = []

  rule {
    source_labels = ["__journal__systemd_unit"]
    target_label  = "unit"
  }
}

loki.source.journal "system" {
  max_age       = "12h"
  relabel_rules = loki.relabel.journal.rules
  labels        = { job = "systemd-journal" }
  forward_to    = [loki.process.main.receiver]
}

${filePipeline('Tool logs: job "tool_sink"', 'tool_sink', '/_logs/*.log', 'main')}
${filePipeline('Telemetry: job "telemetry"', 'telemetry', '/_telemetry/*.jsonl', 'main')}
${filePipeline('CodeSwarm MCP logs: log_source "codeswarm_mcp"', 'codeswarm_mcp', '/apps/vLLM/_data/mcp-logs/*.log', 'codeswarm')}
loki.process "codeswarm" {
  stage.static_labels {
    values = { log_source = "codeswarm_mcp" }
  }
  forward_to = [loki.process.main.receiver]
}

// ---- Every pipeline: env and host labels, then the logs store ----
loki.process "main" {
  stage.static_labels {
    values = {
      env  = "sandbox",
      host = ${q(opts.hostname)},
    }
  }
  forward_to = [loki.write.default.receiver]
}

// loki:3100 is the seed's Loki; inside obs it is the logs role, fed in memory.
loki.write "default" {
  endpoint {
    url = "http://loki:3100/loki/api/v1/push"
  }
}
`;
}

/** One file pipeline: files under the home directory matching `glob`, job `name`. */
function filePipeline(title: string, name: string, glob: string, processor: string): string {
  return `// ---- ${title} ----
local.file_match "${name}" {
  path_targets = [{
    __path__ = discovery.relabel.home.output[0].dir + "${glob}",
    job      = "${name}",
  }]
}

loki.source.file "${name}" {
  targets    = local.file_match.${name}.targets
  forward_to = [loki.process.${processor}.receiver]
}
`;
}
