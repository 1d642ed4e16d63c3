// Types of the streamexec Node package (index.js).

export declare const STOP: unique symbol;
export type Stop = typeof STOP;
export declare const version: string;
/** Where the addon was loaded from. */
export declare const addonPath: string;

export type Lang = 'python' | 'javascript' | 'cpp';

/** The sx_options of the C API, by their names in camelCase (`timeout` is unit_timeout_s). */
export interface SessionOptions {
  languages?: Lang[];           // workers started with the session
  mode?: 'markdown' | 'raw';
  lang?: Lang;                  // raw mode's language
  timeout?: number;             // seconds per unit (default 30)
  sessionTimeout?: number;      // seconds for the whole session (0: none)
  onError?: 'stop' | 'continue';
  serial?: boolean;
  batching?: boolean;
  execute?: boolean;            // false: only find units
  env?: string[];               // "NAME=VALUE" or "NAME" for the workers
  network?: 'none' | 'host';
  allowWrite?: string[];
  workerMemoryBytes?: number;
  workerMaxProcesses?: number;
  outputCapBytes?: number;
  workerDir?: string;
  /**
   * "jupyter:CONNECTION_FILE" or "jupyter:http[s]://HOST:PORT[/BASE]": Python units run on that
   * Jupyter kernel, or on a new kernel of that Jupyter server or gateway (README).
   */
  pythonExecutor?: string;
  /** Warm workers: a Pool, or null for none. Default: defaultPool(). */
  pool?: Pool | null;
  /**
   * Decides for every closed unit before it runs, on the JavaScript thread: run it, hold it
   * until finish(), or skip it (status 'gated'); a reason shows in the unit_held / unit_done
   * event. What it throws skips the unit and is thrown by the feeding call.
   */
  gate?: (unit: GateUnit) => GateDecision | [GateDecision, string];
}

export type GateDecision = 'run' | 'hold' | 'skip';

/** A closed unit as the gate sees it. */
export interface GateUnit {
  id: number;
  lang: Lang;
  code: string;
  kind: string;        // "import", "function", "assign", "expr", …
  line: number;        // answer line of its first byte
  uses: string[];      // names it reads and dotted calls ("os.remove")
  defines: string[];   // top-level names it binds
}

export interface PoolOptions {
  /** Workers kept ready per language. Default { python: 1, javascript: 1, cpp: 1 }. */
  ready?: Partial<Record<Lang, number>>;
  /** Keep none of a language until a session first asks for one. Default false. */
  adaptive?: boolean;
  workerMemoryBytes?: number;
  workerMaxProcesses?: number;
  network?: 'none' | 'host';
  env?: string[];
  allowWrite?: string[];
  workerDir?: string;
}

export interface PoolLangStats {
  started: number;
  taken: number;
  ready: number;
  empty: number;
  mismatch: number;
  failed: number;
}

export declare class Pool {
  constructor(opts?: PoolOptions);
  waitReady(timeoutMs?: number): Promise<boolean>;
  stats(): Record<Lang, PoolLangStats> & { lastError: string };
  close(): void;
}

/** The process's shared pool (adaptive), made at first use. */
export declare function defaultPool(): Pool;

export interface ChatOptions {
  baseUrl: string;              // e.g. "https://api.openai.com/v1", "http://127.0.0.1:8080/v1"
  model: string;
  apiKeyEnv?: string;           // default "OPENAI_API_KEY"
  system?: string;
  repair?: number;              // default 2
  record?: string;              // a JSON-lines recording
  temperature?: number;
  maxTokens?: number;
}

export type EventKind =
  | 'unit_closed' | 'unit_started' | 'output' | 'unit_done' | 'stop_advised' | 'syntax_error'
  | 'fence_skipped' | 'worker_restarted' | 'session_done' | 'unit_held' | 'program_done'
  | 'answer_done' | 'display' | 'model_request' | 'model_stream_end';

export type Status =
  | 'ok' | 'error' | 'syntax_error' | 'timeout' | 'crashed' | 'skipped' | 'gated' | 'limit' | 'cut'
  | 'interrupted';

export interface Event {
  kind: EventKind;
  tMs: number;
  answer: number;
  unitId: number;
  lang: Lang | '';
  status: Status;
  stream: 'stdout' | 'stderr' | '';
  text: string;
  code: string;
  line: number;
  errorType: string;
  errorMessage: string;
  errorLine: number;
  traceback: string;
  value: string | null;
  exitCode: number | null;
  signal: number;
  durationMs: number;
  note: string;
  unitKind: string;
  offset: number;
  endOffset: number;
  fence: number;
  mime: Record<string, string>;
  modelRound: number;
  modelReason: '' | 'done' | 'stopped' | 'error' | 'length';
  modelTokens: number;
  modelCutTokens: number;
  /** The same event as the C API's JSON (README "Event schema"). */
  json: string;
}

export declare class Session implements AsyncIterable<Event> {
  constructor(opts?: SessionOptions);
  feed(piece: string | Buffer): Stop | undefined;
  answerEnd(): Promise<Stop | undefined>;
  answerCut(): Promise<Stop | undefined>;
  finish(): Promise<Stop | undefined>;
  interrupt(): void;
  chat(prompt: string, opts: ChatOptions): Promise<Stop | undefined>;
  replay(file: string, speed?: number): Promise<Stop | undefined>;
  nextEvent(timeoutMs?: number): Promise<Event | null | false>;
  events(): AsyncGenerator<Event, void, undefined>;
  [Symbol.asyncIterator](): AsyncGenerator<Event, void, undefined>;
  close(): void;
}
