// A carriage return in stored text must reach an XML client as &#13;: a raw CR is read back by
// every XML parser as LF (XML 1.0 end-of-line handling), so the client would see other text.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { XMLParser } from 'fast-xml-parser';
import { XML_TEXT_OPTIONS } from './support/xml-text.js';
import { dialectsUnderTest } from './support/test-databases.js';
import { fixtureOrganisation, startTestService, type TestService } from './support/test-service.js';

const { dialects } = await dialectsUnderTest();
const SUBJECT = 'Refund\r\nplease: <now> & "today"\r';

for (const dialect of dialects) {
  describe(`XML escaping (${dialect})`, () => {
    let service: TestService;
    before(async () => {
      const organisation = fixtureOrganisation();
      organisation.activities.find((a) => a.id === '100001')!.subject = SUBJECT;
      service = await startTestService(dialect, { organisation });
    });
    after(() => service.close());

    it('a CR in an activity subject travels as &#13; and reads back as CR', async () => {
      const response = await service.request({
        path: '/core/casemgr/v3/activity/100001',
        headers: { authorization: `Bearer ${service.token('alice')}`, accept: 'application/xml' },
      });
      assert.equal(response.status, 200, response.text);
      assert.match(String(response.headers['content-type']), /xml/);
      assert.equal(response.text.includes('\r'), false, 'no raw CR in the XML text');
      assert.ok(
        response.text.includes('Refund&#13;\nplease: &lt;now&gt; &amp; &quot;today&quot;&#13;'),
        response.text,
      );
      // What a client's parser makes of it: the subject as stored, CRs included.
      const parsed = new XMLParser({ ...XML_TEXT_OPTIONS, trimValues: false }).parse(response.text);
      const text = JSON.stringify(parsed);
      assert.ok(text.includes(JSON.stringify(SUBJECT).slice(1, -1)), text);
    });
  });
}
