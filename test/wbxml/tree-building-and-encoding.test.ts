import { describe, expect, it } from 'vitest';
import { CODE_PAGES, childrenNamed, decode, el, encode, pageByNs, textOf, WbxmlError, type WbxmlElement } from '../../src/wbxml/index.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex');

describe('el() builds elements; a bare name takes the namespace of its nearest qualified ancestor', () => {
  it('resolves bare names through nesting, across page changes', () => {
    const tree = el('Provision:Provision', el('Settings:DeviceInformation', el('Set', el('Model', 'x'))), el('Policies', el('Policy')));
    const info = tree.children[0] as WbxmlElement;
    const set = info.children[0] as WbxmlElement;
    expect([info.ns, set.ns, (set.children[0] as WbxmlElement).ns]).toEqual(['Settings', 'Settings', 'Settings']);
    expect((tree.children[1] as WbxmlElement).ns).toBe('Provision');
  });

  it('spreads array arguments', () => {
    expect(el('Ping:Folders', ['a', 'b'].map((id) => el('Folder', id))).children).toHaveLength(2);
  });

  it('throws INVALID_TREE at once for an unknown Ns:Name, and when a bare name meets a page without it', () => {
    expect(() => el('Provision:Nope')).toThrow(expect.objectContaining({ code: 'EASGATE_ERR_WBXML_INVALID_TREE' }) as Error);
    expect(() => el('Nowhere:Status')).toThrow(WbxmlError);
    expect(() => el('Ping:Ping', el('Model'))).toThrow(/has no tag 'Model'/);
  });

  it('leaves a tree without any qualified name unencodable', () => {
    expect(() => encode(el('Status', '1'))).toThrow(/has no namespace/);
  });

  it('textOf and childrenNamed read a decoded tree', () => {
    const tree = el('AirSync:Sync', el('Status', '1', '2'), el('Status', '3'));
    expect(childrenNamed(tree, 'Status').map(textOf)).toEqual(['12', '3']);
    expect(childrenNamed(tree, 'Status', 'Ping')).toEqual([]);
  });
});

describe('encode()', () => {
  it('writes 03 01 6A 00 and switches pages only when the page changes', () => {
    const tree = el('AirSync:Sync', el('AirSyncBase:Body', el('Type', '1')), el('AirSyncBase:NativeBodyType', '1'), el('Status', '1'));
    // Sync | SWITCH 17 Body Type "1" END END | NativeBodyType "1" END (same page) | SWITCH 0 Status "1" END | END
    expect(hex(encode(tree))).toBe('03016a00' + '45' + '00114a4603310001' + '01' + '5603310001' + '00004e03310001' + '01');
  });

  it('sets the content bit only on elements with children', () => {
    expect(hex(encode(el('Provision:Provision', el('RemoteWipe'))))).toBe('03016a00000e450c01');
  });

  it('writes OPAQUE lengths as mb_u_int32 (0, 127, 128, 16384 bytes)', () => {
    for (const [size, prefix] of [[0, 'c300'], [127, 'c37f'], [128, 'c38100'], [16384, 'c3818000']] as const) {
      const bytes = encode(el('AirSync:Sync', el('Status', new Uint8Array(size))));
      expect(hex(bytes).slice(12, 12 + prefix.length)).toBe(prefix);
      expect((decode(bytes).children[0] as WbxmlElement).children[0]).toEqual(new Uint8Array(size));
    }
  });

  it('refuses NUL in text, children of the wrong kind and a tree that contains itself', () => {
    expect(() => encode(el('AirSync:Sync', el('Status', 'a\0b')))).toThrow(/NUL/);
    expect(() => encode({ ns: 'AirSync', name: 'Sync', children: [42 as unknown as string] })).toThrow(WbxmlError);
    expect(() => encode('Sync' as unknown as WbxmlElement)).toThrow(WbxmlError);
    const loop = el('AirSync:Sync', el('Collections'));
    (loop.children[0] as WbxmlElement).children.push(loop);
    expect(() => encode(loop)).toThrow(/deeper than/);
  });
});

describe('code pages', () => {
  it('derive both directions from one declaration: token → name → token on every page', () => {
    for (const page of CODE_PAGES) {
      if (page === undefined) continue;
      expect(pageByNs(page.ns)).toBe(page);
      page.names.forEach((name, token) => {
        if (name !== undefined) expect(page.tokens.get(name)).toBe(token);
      });
      expect(page.tokens.size).toBe(page.names.filter((n) => n !== undefined).length);
    }
  });

  it('hold the 16.1 additions: Provision 0x3B AccountOnlyRemoteWipe and page 25 Find', () => {
    expect(pageByNs('Provision')?.tokens.get('AccountOnlyRemoteWipe')).toBe(0x3b);
    expect(CODE_PAGES[25]?.ns).toBe('Find');
    expect(pageByNs('Find')?.tokens.get('Find')).toBe(0x05);
  });
});
