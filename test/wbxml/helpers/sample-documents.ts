import { el, type WbxmlElement } from '../../../src/wbxml/index.js';

/**
 * A Sync response with `count` emails (Email, AirSyncBase bodies, Email2 conversation ids as
 * OPAQUE), shaped like the [MS-ASCMD] Sync examples; 22 emails give about 8 KiB. Used by the
 * conformance tests and by bench/codec.ts.
 */
export function sampleSyncResponse(count = 22): WbxmlElement {
  const adds: WbxmlElement[] = [];
  for (let i = 0; i < count; i++) {
    const preview = `Hello team, this is message ${i}. The quarterly numbers are attached; please review them before Thursday's meeting. Regards, Alex`;
    adds.push(
      el('Add',
        el('ServerId', `5:${i + 1}`),
        el('ApplicationData',
          el('Email:To', `"Team" <team${i}@example.com>`),
          el('Email:From', '"Alex Example" <alex@example.com>'),
          el('Email:Subject', `Quarterly numbers, part ${i}`),
          el('Email:DateReceived', `2024-05-${String((i % 28) + 1).padStart(2, '0')}T09:30:00.000Z`),
          el('Email:DisplayTo', 'Team'),
          el('Email:Importance', '1'),
          el('Email:Read', i % 2 === 0 ? '0' : '1'),
          el('AirSyncBase:Body',
            el('Type', '1'),
            el('EstimatedDataSize', String(preview.length * 8)),
            el('Truncated', '1'),
            el('Data', preview)),
          el('Email:MessageClass', 'IPM.Note'),
          el('Email:InternetCPID', '65001'),
          el('Email:Flag'),
          el('AirSyncBase:NativeBodyType', '2'),
          el('Email2:ConversationId', Uint8Array.from({ length: 16 }, (_, b) => (b * 17 + i) & 0xff)),
          el('Email2:ConversationIndex', Uint8Array.from([0x01, 0xda, 0x2b, i & 0xff, 0x10])))));
  }
  return el('AirSync:Sync',
    el('Collections',
      el('Collection',
        el('SyncKey', '1043'),
        el('CollectionId', '5'),
        el('Status', '1'),
        el('Commands', adds))));
}
