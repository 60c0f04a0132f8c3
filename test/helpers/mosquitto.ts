import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join } from "node:path";
import { mosquittoAcl } from "../../src/protocol/mqtt/index.js";
import { findTool } from "./system-tool.js";

/**
 * A throwaway Mosquitto as a background process on a loopback port: TLS (a CA and a server
 * certificate made with openssl for this run), a password file, the ACL generated from the topic
 * table, `use_username_as_clientid`, explicit queue and in-flight limits (its defaults drop most of
 * a burst: field notes §3), persistence in its own directory so a restart keeps sessions.
 */
export interface MosquittoUsers {
  /** user name -> password */
  [user: string]: string;
}

export class Mosquitto {
  private child: ChildProcess | null = null;
  readonly caFile: string;

  constructor(
    readonly dir: string,
    readonly port: number,
    readonly users: MosquittoUsers,
    merchant: { id: string; user: string },
    private readonly bin: string,
  ) {
    mkdirSync(join(dir, "data"), { recursive: true });
    this.caFile = join(dir, "ca.crt");
    makeCertificates(dir);
    const passwd = join(dir, "passwd");
    writeFileSync(passwd, "");
    for (const [user, password] of Object.entries(users))
      execFileSync(findTool("mosquitto_passwd") ?? "mosquitto_passwd", ["-b", passwd, user, password]);
    writeFileSync(join(dir, "acl"), mosquittoAcl("quan/v1", merchant));
    writeFileSync(
      join(dir, "mosquitto.conf"),
      [
        "persistence true",
        `persistence_location ${join(dir, "data")}/`,
        "max_queued_messages 100000",
        "max_inflight_messages 100",
        "max_packet_size 1048576",
        // Its readiness probe (a bare TCP connect) would log a TLS error each time.
        "log_dest none",
        `listener ${port} 127.0.0.1`,
        "use_username_as_clientid true",
        "allow_anonymous false",
        `password_file ${passwd}`,
        `acl_file ${join(dir, "acl")}`,
        `cafile ${this.caFile}`,
        `certfile ${join(dir, "server.crt")}`,
        `keyfile ${join(dir, "server.key")}`,
        "",
      ].join("\n"),
    );
    // As root Mosquitto drops to the mosquitto user before reading its files.
    if (process.getuid?.() === 0) {
      giveTo("mosquitto", dir);
      // mkdtemp made the directory above private; the mosquitto user must pass through it.
      chmodSync(dirname(dir), 0o711);
    }
  }

  get url(): string {
    return `mqtts://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn(this.bin, ["-c", join(this.dir, "mosquitto.conf")], {
      stdio: ["ignore", "ignore", "inherit"],
    });
    const until = Date.now() + 10_000;
    while (!(await listening(this.port))) {
      if (this.child.exitCode !== null) throw new Error(`mosquitto exited with ${this.child.exitCode}`);
      if (Date.now() > until) throw new Error("mosquitto did not start listening");
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, "127.0.0.1");
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

function makeCertificates(dir: string): void {
  const run = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "ignore" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  run(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "2",
    "-subj",
    "/CN=quan test CA",
  );
  run("req", ...ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  writeFileSync(join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  run(
    "x509",
    "-req",
    "-in",
    "server.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-out",
    "server.crt",
    "-days",
    "2",
    "-extfile",
    "san.ext",
  );
}

function giveTo(user: string, dir: string): void {
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith(`${user}:`));
  if (!line) return;
  const [, , uid, gid] = line.split(":");
  const own = (path: string) => chownSync(path, Number(uid), Number(gid));
  own(dir);
  for (const name of readdirSync(dir, { recursive: true }) as string[]) own(join(dir, name));
}
