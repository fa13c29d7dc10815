/**
 * `secureHints/routes`: the route inventory of the workspace folders for the editor's Routes view, the same
 * listing `secure-hints routes` prints (files found the CLI's way, each folder's `.securehints.json`).
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Connection } from 'vscode-languageserver';
import { RoutesRequest, type RouteItem, type RoutesParams, type RoutesResult } from '../../../client/src/protocol';
import { listRoutes } from '../cli/routes';
import { levelText } from '../engine/route-types';

export function registerRoutesRequest(connection: Connection): void {
  connection.onRequest(RoutesRequest, async (params: RoutesParams): Promise<RoutesResult> => {
    const routes: RouteItem[] = [];
    for (const folderUri of params.folders ?? []) {
      let folder: string;
      try {
        folder = fileURLToPath(folderUri);
      } catch {
        continue;
      }
      const listing = await listRoutes([folder]);
      for (const r of listing.routes) {
        routes.push({
          uri: pathToFileURL(r.absolutePath).href,
          range: r.nameRange,
          path: r.path,
          methods: r.methods,
          handler: r.handler,
          framework: r.framework,
          group: r.group,
          level: levelText(r.level),
          publicByDesign: r.publicByDesign,
          guards: r.guards.filter((g) => g.name).map((g) => `${g.kind}: ${g.name}`),
          questions: r.questions.map((q) => ({ ruleId: q.ruleId, message: q.message, line: q.range.start.line })),
        });
      }
    }
    return { routes };
  });
}
