/**
 * The Dockerfile's runtime stage read with a Dockerfile parser (dockerfile-ast, the parser
 * behind dockerfile-utils), and laid out on disk as its COPY lines would lay out the image, so a
 * test can start what a bare `docker run` starts without a Docker engine.
 */
import { cp, mkdir, symlink } from "node:fs/promises";
import { basename, dirname, join, posix } from "node:path";
import {
  type Arg,
  type Copy,
  DockerfileParser,
  type Entrypoint,
  type Env,
  type Label,
} from "dockerfile-ast";

/** What a `docker run` of the last stage, with no arguments, runs and where. */
export interface RuntimeStage {
  workdir: string;
  user: string | undefined;
  env: Record<string, string>;
  labels: Record<string, string>;
  /** ENTRYPOINT then CMD (both exec form). */
  command: string[];
  /** The HEALTHCHECK's CMD (exec form). */
  healthcheck: string[];
  /** Each COPY: `from` is a stage's WORKDIR-relative source root, or undefined for the context. */
  copies: Array<{ from: string | undefined; sources: string[]; destination: string }>;
}

/** Reads the last stage of `text`, with ARG defaults substituted into LABEL values. */
export function runtimeStage(text: string): RuntimeStage {
  const instructions = DockerfileParser.parse(text).getInstructions();
  const froms = instructions.flatMap((i, index) => (i.getKeyword() === "FROM" ? [index] : []));
  const workdirs = new Map<string, string>();
  froms.forEach((start, n) => {
    const stage = instructions.slice(start, froms[n + 1]);
    const name = (stage[0] as unknown as { getBuildStage(): string | null }).getBuildStage();
    const workdir = [...stage].reverse().find((i) => i.getKeyword() === "WORKDIR");
    const path = workdir?.getArgumentsContent();
    if (name && path) workdirs.set(name, path);
  });
  const last = instructions.slice(froms.at(-1));
  const of = <T>(keyword: string) => last.filter((i) => i.getKeyword() === keyword) as T[];
  const content = (keyword: string) =>
    [...last]
      .reverse()
      .find((i) => i.getKeyword() === keyword)
      ?.getArgumentsContent() ?? undefined;
  const args = new Map<string, string>();
  for (const arg of [...instructions.slice(0, froms[0]), ...last].filter(
    (i) => i.getKeyword() === "ARG",
  ) as Arg[]) {
    const property = arg.getProperty();
    const value = property?.getValue();
    if (property && value !== null && value !== undefined) args.set(property.getName(), value);
  }
  const expand = (value: string) =>
    value.replace(/\$\{(\w+)\}/g, (_, name: string) => args.get(name) ?? "");
  const properties = (list: Array<Env | Label>) =>
    Object.fromEntries(
      list.flatMap((i) => i.getProperties()).map((p) => [p.getName(), expand(p.getValue() ?? "")]),
    );
  const exec = (keyword: string) =>
    of<Entrypoint>(keyword)
      .at(-1)
      ?.getJSONStrings()
      .map((s) => s.getJSONValue()) ?? [];
  const healthcheck = content("HEALTHCHECK") ?? "";
  return {
    workdir: content("WORKDIR") ?? "/",
    user: content("USER"),
    env: properties(of<Env>("ENV")),
    labels: properties(of<Label>("LABEL")),
    command: [...exec("ENTRYPOINT"), ...exec("CMD")],
    healthcheck: JSON.parse(healthcheck.replace(/^CMD\s+/, "")) as string[],
    copies: of<Copy>("COPY").map((copy) => {
      const values = copy.getArguments().map((a) => a.getValue());
      const stage = copy.getFromFlag()?.getValue() ?? undefined;
      return {
        from: stage === undefined ? undefined : (workdirs.get(stage) ?? "/"),
        sources: values.slice(0, -1),
        destination: values.at(-1) as string,
      };
    }),
  };
}

/**
 * Lays out the image under `into`: each COPY copies its sources, a destination ending in `/`
 * receiving them by name. `local` maps a source, relative to the build context or to its build
 * stage's WORKDIR (the stages build the checkout in place), to a file here. `node_modules` is
 * linked, not copied.
 */
export async function stageImage(
  stage: RuntimeStage,
  local: (source: string) => string,
  into: string,
): Promise<void> {
  for (const { from, sources, destination } of stage.copies) {
    const target = join(into, posix.resolve(stage.workdir, destination));
    for (const source of sources) {
      const path = local(from ? posix.relative(from, source) : source);
      const to = destination.endsWith("/") ? join(target, basename(source)) : target;
      await mkdir(dirname(to), { recursive: true });
      if (basename(source) === "node_modules") await symlink(path, to);
      else await cp(path, to, { recursive: true });
    }
  }
}
