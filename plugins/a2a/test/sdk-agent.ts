import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { A2A_PROTOCOL_VERSION, type AgentCard, TaskState } from '@a2a-js/sdk';
import { AgentEvent, type AgentExecutor, DefaultRequestHandler, type ExecutionEventBus, InMemoryTaskStore, type RequestContext } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import express from 'express';
import { agentMessage, textOfParts, textPart } from '../src/a2a-parts.js';

/** What the test agent does with a message: answer with text, fail, or hang until cancelled. */
export type SdkBehaviour = (input: { text: string; headers: Record<string, unknown> }) => { answer: string } | { fail: string } | { hang: true };

export interface SdkAgent {
  url: string;
  received: { text: string; headers: Record<string, unknown> }[];
  close(): Promise<void>;
}

/**
 * A remote A2A agent written with the SDK's server side only (DefaultRequestHandler, express
 * JSON-RPC and card handlers), on a loopback port: what Entity's client must work against.
 */
export async function startSdkAgent(behaviour: SdkBehaviour, cardOverrides: Partial<AgentCard> = {}, options: { v03Only?: boolean } = {}): Promise<SdkAgent> {
  const received: SdkAgent['received'] = [];
  const hanging = new Set<() => void>();
  const executor: AgentExecutor = {
    async execute(context: RequestContext, bus: ExecutionEventBus) {
      const text = textOfParts(context.userMessage.parts).text;
      const headers = (context.context.state.get('headers') ?? {}) as Record<string, unknown>;
      received.push({ text, headers });
      const ids = { taskId: context.taskId, contextId: context.contextId };
      bus.publish(AgentEvent.task({ id: ids.taskId, contextId: ids.contextId, status: { state: TaskState.TASK_STATE_SUBMITTED, message: undefined, timestamp: undefined }, artifacts: [], history: [context.userMessage], metadata: undefined }));
      const outcome = behaviour({ text, headers });
      if ('hang' in outcome) {
        await new Promise<void>((resolve) => hanging.add(resolve));
        return;
      }
      if ('fail' in outcome) {
        bus.publish(AgentEvent.statusUpdate({ ...ids, status: { state: TaskState.TASK_STATE_FAILED, message: agentMessage(outcome.fail, ids), timestamp: undefined }, metadata: undefined }));
        return;
      }
      bus.publish(AgentEvent.artifactUpdate({ ...ids, artifact: { artifactId: 'answer', name: 'answer', description: '', parts: [textPart(outcome.answer)], metadata: undefined, extensions: [] }, append: false, lastChunk: true, metadata: undefined }));
      bus.publish(AgentEvent.statusUpdate({ ...ids, status: { state: TaskState.TASK_STATE_COMPLETED, message: undefined, timestamp: undefined }, metadata: undefined }));
    },
    async cancelTask() {},
  };
  const app = express();
  const server: Server = await new Promise((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const card: AgentCard = {
    name: 'sdk-research-agent',
    description: 'Answers research questions',
    supportedInterfaces: [{ url: `${url}/a2a`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: A2A_PROTOCOL_VERSION }],
    provider: undefined,
    version: '1.0.0',
    capabilities: { streaming: true, pushNotifications: false, extensions: [], extendedAgentCard: false },
    securitySchemes: {},
    securityRequirements: [],
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [],
    signatures: [],
    ...cardOverrides,
  };
  if (options.v03Only) {
    // An agent still on A2A v0.3: a v0.3 card (no v1.0 interface) and v0.3 JSON-RPC only.
    card.supportedInterfaces = card.supportedInterfaces.map((entry) => ({ ...entry, protocolVersion: '0.3' }));
    const requestHandler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
    app.get('/.well-known/agent-card.json', (_request, response) => {
      response.json({ name: card.name, description: card.description, version: card.version, url: `${url}/a2a`, preferredTransport: 'JSONRPC', protocolVersion: '0.3.0', capabilities: { streaming: true }, defaultInputModes: ['text/plain'], defaultOutputModes: ['text/plain'], skills: [] });
    });
    app.use('/a2a', jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication, legacyCompat: { enabled: true } }));
  } else {
    const requestHandler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
    app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: requestHandler }));
    app.use('/a2a', jsonRpcHandler({ requestHandler, userBuilder: UserBuilder.noAuthentication }));
  }
  return {
    url,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const release of hanging) release();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
