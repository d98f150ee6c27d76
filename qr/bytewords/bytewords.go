// Package bytewords implements Bytewords (Blockchain Commons BCR-2020-012):
// 256 four-letter English words, one per byte value, chosen so that any two
// differ in their first and last letters. coldtss uses them for fingerprints
// that people read aloud, and UR uses them for its text encoding.
package bytewords

import (
	"errors"
	"fmt"
	"hash/crc32"
	"strings"
)

// The word list from BCR-2020-012, in byte order.
const list = "ableacidalsoapexaquaarchatomauntawayaxisbackbaldbarnbeltbetabiasbluebodybragbrewbulbbuzzcalmcashcatschefcityclawcodecolacookcostcruxcurlcuspcyandarkdatadaysdelidicedietdoordowndrawdropdrumdulldutyeacheasyechoedgeepicevenexamexiteyesfactfairfernfigsfilmfishfizzflapflewfluxfoxyfreefrogfuelfundgalagamegeargemsgiftgirlglowgoodgraygrimgurugushgyrohalfhanghardhawkheathelphighhillholyhopehornhutsicedideaidleinchinkyintoirisironitemjadejazzjoinjoltjowljudojugsjumpjunkjurykeepkenokeptkeyskickkilnkingkitekiwiknoblamblavalazyleaflegsliarlimplionlistlogoloudloveluaulucklungmainmanymathmazememomenumeowmildmintmissmonknailnavyneednewsnextnoonnotenumbobeyoboeomitonyxopenovalowlspaidpartpeckplaypluspoempoolposepuffpumapurrquadquizraceramprealredorichroadrockroofrubyruinrunsrustsafesagascarsetssilkskewslotsoapsolosongstubsurfswantacotasktaxitenttiedtimetinytoiltombtoystriptunatwinuglyundouniturgeuservastveryvetovialvibeviewvisavoidvowswallwandwarmwaspwavewaxywebswhatwhenwhizwolfworkyankyawnyellyogayurtzapszerozestzinczonezoom"

var (
	full    [256]string
	minimal = map[string]byte{}
	byWord  = map[string]byte{}
)

func init() {
	for i := 0; i < 256; i++ {
		w := list[i*4 : i*4+4]
		full[i] = w
		byWord[w] = byte(i)
		minimal[w[:1]+w[3:]] = byte(i)
	}
}

// Word returns the byteword for b.
func Word(b byte) string { return full[b] }

// Words returns one word per byte, with no checksum (for fingerprints).
func Words(data []byte) []string {
	out := make([]string, len(data))
	for i, b := range data {
		out[i] = full[b]
	}
	return out
}

// Style selects an encoding style of BCR-2020-012.
type Style int

const (
	Standard Style = iota // "able acid also" with a space
	URI                   // "able-acid-also"
	Minimal               // "aeadao": first and last letter of each word
)

// Encode encodes data with its CRC-32 appended, in the given style.
func Encode(style Style, data []byte) string {
	buf := appendCRC(data)
	switch style {
	case Minimal:
		var sb strings.Builder
		for _, b := range buf {
			w := full[b]
			sb.WriteByte(w[0])
			sb.WriteByte(w[3])
		}
		return sb.String()
	case URI:
		return strings.Join(Words(buf), "-")
	default:
		return strings.Join(Words(buf), " ")
	}
}

// ErrChecksum means the words decoded but their CRC-32 does not match.
var ErrChecksum = errors.New("bytewords checksum does not match (a word was misread or the text is truncated)")

// Decode decodes text in the given style and checks its CRC-32.
func Decode(style Style, text string) ([]byte, error) {
	var buf []byte
	switch style {
	case Minimal:
		if len(text)%2 != 0 {
			return nil, fmt.Errorf("minimal bytewords must have an even number of letters, got %d", len(text))
		}
		for i := 0; i < len(text); i += 2 {
			b, ok := minimal[strings.ToLower(text[i:i+2])]
			if !ok {
				return nil, fmt.Errorf("%q (letters %d-%d) is not a minimal byteword", text[i:i+2], i+1, i+2)
			}
			buf = append(buf, b)
		}
	default:
		sep := " "
		if style == URI {
			sep = "-"
		}
		for i, w := range strings.Split(text, sep) {
			b, ok := byWord[strings.ToLower(w)]
			if !ok {
				return nil, fmt.Errorf("word %d, %q, is not a byteword", i+1, w)
			}
			buf = append(buf, b)
		}
	}
	if len(buf) < 5 {
		return nil, fmt.Errorf("bytewords too short: %d bytes, need at least 5 (4 are the checksum)", len(buf))
	}
	body, sum := buf[:len(buf)-4], buf[len(buf)-4:]
	want := crc32.ChecksumIEEE(body)
	if uint32(sum[0])<<24|uint32(sum[1])<<16|uint32(sum[2])<<8|uint32(sum[3]) != want {
		return nil, ErrChecksum
	}
	return body, nil
}

func appendCRC(data []byte) []byte {
	c := crc32.ChecksumIEEE(data)
	out := make([]byte, 0, len(data)+4)
	out = append(out, data...)
	return append(out, byte(c>>24), byte(c>>16), byte(c>>8), byte(c))
}
