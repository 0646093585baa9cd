// Jaeger's structuredResponse envelope and its error form, shared by every Jaeger route.
import { json, type ApiRequest, type ApiResponse } from '../http.js';
import { ParamError } from './params.js';

export interface JaegerError {
  readonly code: number;
  readonly msg: string;
  readonly traceID?: string;
}

/** Jaeger's structuredResponse. */
export function ok(data: unknown, total: number, errors: JaegerError[] | null = null): ApiResponse {
  return json(200, { data, total, limit: 0, offset: 0, errors });
}

export function fail(code: number, msg: string): ApiResponse {
  return json(code, { data: null, total: 0, limit: 0, offset: 0, errors: [{ code, msg }] });
}

function paramErrorAsFail(err: unknown): ApiResponse {
  if (err instanceof ParamError) return fail(400, err.message);
  throw err;
}

/** Runs a handler (synchronous or not), turning parameter errors into Jaeger's 400. */
export function guarded(fn: (req: ApiRequest) => ApiResponse): (req: ApiRequest) => ApiResponse;
export function guarded(fn: (req: ApiRequest) => Promise<ApiResponse>): (req: ApiRequest) => Promise<ApiResponse>;
export function guarded(
  fn: (req: ApiRequest) => ApiResponse | Promise<ApiResponse>,
): (req: ApiRequest) => ApiResponse | Promise<ApiResponse> {
  return (req) => {
    try {
      const res = fn(req);
      return res instanceof Promise ? res.catch(paramErrorAsFail) : res;
    } catch (err) {
      return paramErrorAsFail(err);
    }
  };
}
