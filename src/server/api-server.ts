// The query side's listener as a component: the HttpApp's routes on one port. Shutdown closes
// idle keep-alive connections at once and busy ones after 2 s, so a slow client cannot hold it.
import type { Server } from 'node:http';
import type { HttpApp } from '../api/router.js';
import type { Component } from '../component/component.js';

export class ApiServer implements Component {
  private server: Server | undefined;
  /** the bound port once started, else 0 */
  port = 0;

  constructor(
    private readonly app: HttpApp,
    private readonly host: string,
    private readonly requestedPort: number,
  ) {}

  async start(): Promise<void> {
    if (this.server) return;
    const { server, port } = await this.app.listen(this.host, this.requestedPort);
    this.server = server;
    this.port = port;
  }

  async shutdown(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 2000).unref();
    });
  }
}
