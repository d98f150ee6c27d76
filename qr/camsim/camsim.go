// Package camsim simulates a webcam pointed at a laptop screen, so that the
// QR scanner and the animated-QR transport can be tested and benchmarked on
// thousands of realistic frames without a camera.
//
// The caller gives the image the screen shows (a QR frame with its quiet
// zone, or a whole window); Camera.Shoot returns the grey picture a webcam
// would capture of it: the screen placed in the picture with a perspective
// tilt, an in-plane rotation and a scale, a dark bezel around it and the room
// behind, a little barrel distortion, defocus blur, exposure and contrast
// changes, moiré and glare bands, and sensor noise. A frame can also be lost
// (motion blur, a missed frame), with probability Options.Drop.
//
// Everything is drawn from a seeded generator: the same Options, seed and
// sequence of screens give the same pictures, byte for byte, on every
// machine. A Camera is not safe for concurrent use; use one per goroutine.
//
// It is fast enough for tests that shoot thousands of frames: 15 to 25 ms
// for a 1280x720 picture on one core of a busy machine (BenchmarkShoot). The photometric model is simple
// (linear response, additive noise); it is meant to be at least as hard
// as a real webcam at a comparable distance, not to match one exactly.
package camsim

import (
	"image"
	"math"
	"math/rand/v2"
)

// Options describe the camera, the way it is held and the screen it looks
// at. Each frame draws its own values uniformly from the ranges given. The
// zero value of a field means "none" (no tilt, no blur, ...), except Width
// and Height (default 1280x720) and MinFill/MaxFill (default 0.8).
type Options struct {
	// Width and Height of the picture, in pixels; 0 means 1280x720.
	Width, Height int
	// MinFill and MaxFill: the fraction of the picture's height that the
	// screen image's height spans before tilting (the distance to the
	// screen). 0 means 0.8.
	MinFill, MaxFill float64
	// MaxOffset: how far, as a fraction of the picture's height, the
	// screen's centre may be from the picture's centre.
	MaxOffset float64
	// MaxTilt: the largest angle, in degrees, between the screen's plane
	// and the camera's sensor (the screen turned or leaned back), in any
	// direction.
	MaxTilt float64
	// MaxRotate: the largest in-plane rotation, in degrees, either way.
	MaxRotate float64
	// Distortion: barrel distortion of the lens, the relative displacement
	// of a point at the picture's corner (0.03 is a typical webcam).
	Distortion float64
	// MinBlur and MaxBlur: the defocus blur, as the standard deviation of a
	// Gaussian in picture pixels.
	MinBlur, MaxBlur float64
	// Noise: the standard deviation of the sensor noise, in grey levels.
	Noise float64
	// MinContrast: the smallest difference between the screen's white and
	// black as captured, as a fraction of the full range (1 = black is 0 and
	// white is 255). Each frame draws its contrast from [MinContrast, 1].
	MinContrast float64
	// MaxExposure: the largest shift of brightness, in grey levels, either
	// way (under- or over-exposure; what goes past 0 or 255 is clipped).
	MaxExposure float64
	// Moire: the amplitude, in grey levels, of the moiré bands the screen's
	// pixel grid makes on the sensor.
	Moire float64
	// Glare: the probability that a frame has a glare band (a reflection on
	// the screen), and GlareLevel its peak brightness in grey levels.
	Glare, GlareLevel float64
	// Drop: the probability that a frame is lost: the camera or the screen
	// moved (strong motion blur) or the frame was missed. Shoot still
	// returns a picture, blurred, and reports dropped.
	Drop float64
}

// Presets. Typical is the default for tests and benchmarks: a laptop held
// in front of a webcam by hand, screen turned up to 20 degrees.
var (
	// Mild: screen facing the camera, well lit, in focus.
	Mild = Options{
		MinFill: 0.75, MaxFill: 0.9, MaxOffset: 0.03,
		MaxTilt: 6, MaxRotate: 3, Distortion: 0.01,
		MinBlur: 0.3, MaxBlur: 0.7, Noise: 2,
		MinContrast: 0.75, MaxExposure: 10,
		Moire: 2,
	}
	// Typical: a screen held by hand in front of a webcam.
	Typical = Options{
		MinFill: 0.6, MaxFill: 0.9, MaxOffset: 0.08,
		MaxTilt: 20, MaxRotate: 8, Distortion: 0.03,
		MinBlur: 0.5, MaxBlur: 1.3, Noise: 4,
		MinContrast: 0.5, MaxExposure: 25,
		Moire: 6, Glare: 0.2, GlareLevel: 60,
		Drop: 0.05,
	}
	// Harsh: far, steep, out of focus, dim, with reflections.
	Harsh = Options{
		MinFill: 0.45, MaxFill: 0.85, MaxOffset: 0.12,
		MaxTilt: 35, MaxRotate: 25, Distortion: 0.06,
		MinBlur: 0.8, MaxBlur: 1.9, Noise: 8,
		MinContrast: 0.3, MaxExposure: 45,
		Moire: 12, Glare: 0.5, GlareLevel: 110,
		Drop: 0.15,
	}
)

// Camera shoots pictures of a screen. It is not safe for concurrent use.
type Camera struct {
	opts  Options
	rng   *rand.Rand
	noise []int16 // Gaussian noise table, in 1/16 grey levels
	// buffers reused between frames
	src, tmp []uint8
	acc      []int32
}

const noiseTableBits = 16

// New returns a camera with the options given, seeded with seed.
func New(opts Options, seed int64) *Camera {
	if opts.Width <= 0 || opts.Height <= 0 {
		opts.Width, opts.Height = 1280, 720
	}
	if opts.MinFill <= 0 {
		opts.MinFill = 0.8
	}
	if opts.MaxFill < opts.MinFill {
		opts.MaxFill = opts.MinFill
	}
	if opts.MaxBlur < opts.MinBlur {
		opts.MaxBlur = opts.MinBlur
	}
	if opts.MinContrast <= 0 || opts.MinContrast > 1 {
		opts.MinContrast = 1
	}
	c := &Camera{opts: opts, rng: rand.New(rand.NewPCG(uint64(seed), 0x636f6c64747373))}
	if opts.Noise > 0 {
		c.noise = make([]int16, 1<<noiseTableBits)
		for i := range c.noise {
			v := c.rng.NormFloat64() * opts.Noise * 16
			c.noise[i] = int16(math.Max(-32000, math.Min(32000, math.Round(v))))
		}
	}
	return c
}

// Options returns the options in use, with the defaults filled in.
func (c *Camera) Options() Options { return c.opts }

// frame holds the values drawn for one picture.
type frame struct {
	inv                 [9]float64 // picture -> source pixel homography
	dist                float64    // barrel distortion coefficient
	black, scale        float64    // screen value v captured as black + v*scale
	bezel, backA, backB float64    // bezel level, background gradient
	blur                float64
	moireA, moireFx     float64
	moireFy, moirePh    float64
	glare               bool
	glareA, glareNx     float64
	glareNy, glareD     float64
	glareW              float64
}

// Shoot returns the picture the camera takes of a screen showing screen,
// and whether the frame is lost (then the picture is strongly blurred and a
// reader should not count on it). screen is not modified.
func (c *Camera) Shoot(screen image.Image) (img *image.Gray, dropped bool) {
	o := &c.opts
	r := c.rng
	W, H := o.Width, o.Height
	b := screen.Bounds()
	sw, sh := b.Dx(), b.Dy()
	out := image.NewGray(image.Rect(0, 0, W, H))
	if sw <= 0 || sh <= 0 {
		return out, false
	}
	uni := func(lo, hi float64) float64 { return lo + (hi-lo)*r.Float64() }

	// Geometry: the screen image, centred on the origin, rotated in its
	// plane, tilted about an axis in its plane, pushed to distance D, seen
	// through a pinhole of focal length f (a 70 degree horizontal field).
	fill := uni(o.MinFill, o.MaxFill)
	rot := uni(-o.MaxRotate, o.MaxRotate) * math.Pi / 180
	tilt := uni(0, o.MaxTilt) * math.Pi / 180
	axis := uni(0, 2*math.Pi)
	f := float64(W) / 2 / math.Tan(35*math.Pi/180)
	cx, cy := float64(W)/2, float64(H)/2
	D := f * float64(sh) / (fill * float64(H))
	offx := uni(-o.MaxOffset, o.MaxOffset) * float64(H)
	offy := uni(-o.MaxOffset, o.MaxOffset) * float64(H)

	// Pre-shrink the screen by an integer factor when it is much larger
	// than its picture, so that bilinear sampling does not alias.
	k := int(math.Floor(float64(sh) / (fill * float64(H)) / 1.0))
	if k < 1 {
		k = 1
	}
	src, gw, gh := c.gray(screen, k)

	R := mul3(rodrigues(math.Cos(axis), math.Sin(axis), tilt), rotZ(rot))
	// screen point (u, v) in source pixels -> camera coordinates:
	// R * ((u*k - sw/2), (v*k - sh/2), 0) + (tx, ty, D)
	tx, ty := offx*D/f, offy*D/f
	kk := float64(k)
	M := [9]float64{
		f*R[0]*kk + cx*R[6]*kk, f*R[1]*kk + cx*R[7]*kk, 0,
		f*R[3]*kk + cy*R[6]*kk, f*R[4]*kk + cy*R[7]*kk, 0,
		R[6] * kk, R[7] * kk, 0,
	}
	// translation column: K * (t - R*(sw/2, sh/2, 0))
	hx, hy := float64(sw)/2, float64(sh)/2
	X := tx - R[0]*hx - R[1]*hy
	Y := ty - R[3]*hx - R[4]*hy
	Z := D - R[6]*hx - R[7]*hy
	M[2], M[5], M[8] = f*X+cx*Z, f*Y+cy*Z, Z

	var fr frame
	fr.inv = inv3(M)
	fr.dist = o.Distortion / (cx*cx + cy*cy)

	contrast := uni(o.MinContrast, 1)
	rng := 255 * contrast
	fr.black = (255-rng)/2 + uni(-o.MaxExposure, o.MaxExposure)
	fr.scale = rng / 255
	fr.bezel = fr.black*0.6 + 4
	fr.backA = fr.black + rng*uni(0.25, 0.6)
	fr.backB = uni(-0.08, 0.08) // gradient per picture pixel along x
	fr.blur = uni(o.MinBlur, o.MaxBlur)
	if o.Moire > 0 {
		period := uni(12, 60) // picture pixels
		a := uni(0, math.Pi)
		fr.moireA = o.Moire * uni(0.3, 1)
		fr.moireFx = math.Cos(a) / period
		fr.moireFy = math.Sin(a) / period
		fr.moirePh = uni(0, 1)
	}
	if o.Glare > 0 && r.Float64() < o.Glare {
		fr.glare = true
		a := uni(0, math.Pi)
		fr.glareNx, fr.glareNy = math.Cos(a), math.Sin(a)
		fr.glareD = uni(-0.4, 0.4)*float64(H) + cx*fr.glareNx + cy*fr.glareNy
		fr.glareW = uni(0.05, 0.2) * float64(H)
		fr.glareA = o.GlareLevel * uni(0.5, 1)
	}
	dropped = o.Drop > 0 && r.Float64() < o.Drop
	var blurLen int
	var blurVertical bool
	if dropped {
		blurLen = 12 + r.IntN(30)
		blurVertical = r.IntN(2) == 0
	}

	c.render(out.Pix, W, H, src, gw, gh, &fr)
	if fr.blur >= 0.3 {
		// The room behind is smooth: only the screen and its edges need blur.
		c.gaussian(out.Pix, W, H, c.footprint(&fr, gw, gh, W, H), fr.blur)
	}
	if dropped {
		c.motion(out.Pix, W, H, blurLen, blurVertical)
	}
	if c.noise != nil {
		c.addNoise(out.Pix)
	}
	return out, dropped
}

// footprint is the rectangle of the picture that holds the screen and its
// bezel, with a margin.
func (c *Camera) footprint(fr *frame, gw, gh, W, H int) image.Rectangle {
	fwd := inv3(fr.inv)
	bz := 0.05 * math.Max(float64(gw), float64(gh))
	x0, y0, x1, y1 := math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)
	for _, p := range [][2]float64{{-bz, -bz}, {float64(gw) + bz, -bz}, {-bz, float64(gh) + bz}, {float64(gw) + bz, float64(gh) + bz}} {
		w := fwd[6]*p[0] + fwd[7]*p[1] + fwd[8]
		if w <= 0 {
			return image.Rect(0, 0, W, H)
		}
		x := (fwd[0]*p[0] + fwd[1]*p[1] + fwd[2]) / w
		y := (fwd[3]*p[0] + fwd[4]*p[1] + fwd[5]) / w
		x0, y0, x1, y1 = math.Min(x0, x), math.Min(y0, y), math.Max(x1, x), math.Max(y1, y)
	}
	// The lens distortion moves points outwards by at most Distortion of
	// the half diagonal.
	m := 8 + c.opts.Distortion*math.Hypot(float64(W), float64(H))/2
	r := image.Rect(int(x0-m), int(y0-m), int(x1+m)+1, int(y1+m)+1)
	return r.Intersect(image.Rect(0, 0, W, H))
}

// render draws the scene without blur or noise.
func (c *Camera) render(pix []uint8, W, H int, src []uint8, gw, gh int, fr *frame) {
	m := &fr.inv
	cx, cy := float64(W)/2, float64(H)/2
	fgw, fgh := float64(gw-1), float64(gh-1)
	// the bezel: a margin of 4% of the screen's size around the image
	bz := 0.04 * math.Max(float64(gw), float64(gh))
	var sinTab [256]float64
	for i := range sinTab {
		sinTab[i] = fr.moireA * math.Sin(2*math.Pi*float64(i)/256)
	}
	for y := 0; y < H; y++ {
		row := pix[y*W : (y+1)*W]
		dy := float64(y) - cy + 0.5
		for x := 0; x < W; x++ {
			dx := float64(x) - cx + 0.5
			px, py := cx+dx, cy+dy
			if fr.dist != 0 {
				s := 1 + fr.dist*(dx*dx+dy*dy)
				px, py = cx+dx*s, cy+dy*s
			}
			w := m[6]*px + m[7]*py + m[8]
			iw := 1 / w
			u := (m[0]*px + m[1]*py + m[2]) * iw
			v := (m[3]*px + m[4]*py + m[5]) * iw
			var val float64
			if w > 0 && u >= 0 && v >= 0 && u <= fgw && v <= fgh {
				fx, fy := int(u*256), int(v*256)
				iu, iv := fx>>8, fy>>8
				fu, fv := int32(fx&255), int32(fy&255)
				i := iv*gw + iu
				i1, i2 := i+1, i+gw
				if iu+1 >= gw {
					i1 = i
				}
				if iv+1 >= gh {
					i2 = i
				}
				i3 := i2 + (i1 - i)
				top := int32(src[i])*(256-fu) + int32(src[i1])*fu
				bot := int32(src[i2])*(256-fu) + int32(src[i3])*fu
				s := float64(top*(256-fv)+bot*fv) * (1.0 / 65536)
				val = fr.black + s*fr.scale
				if fr.moireA != 0 {
					ph := fr.moirePh + px*fr.moireFx + py*fr.moireFy
					val += sinTab[int(ph*256)&255]
				}
				if fr.glare {
					d := (px*fr.glareNx + py*fr.glareNy - fr.glareD) / fr.glareW
					if d > -3 && d < 3 {
						val += fr.glareA * math.Exp(-d*d)
					}
				}
			} else if w > 0 && u >= -bz && v >= -bz && u <= fgw+bz && v <= fgh+bz {
				val = fr.bezel
			} else {
				val = fr.backA + fr.backB*dx
			}
			row[x] = clamp8(val)
		}
	}
}

func clamp8(v float64) uint8 {
	if v <= 0 {
		return 0
	}
	if v >= 255 {
		return 255
	}
	return uint8(v + 0.5)
}

// gray converts screen to 8-bit grey, shrunk by the integer factor k
// (each output pixel the mean of a k x k block), into c.src.
func (c *Camera) gray(screen image.Image, k int) ([]uint8, int, int) {
	b := screen.Bounds()
	gw, gh := b.Dx()/k, b.Dy()/k
	if gw < 1 {
		gw = 1
	}
	if gh < 1 {
		gh = 1
	}
	n := gw * gh
	if cap(c.src) < n {
		c.src = make([]uint8, n)
	}
	src := c.src[:n]
	if cap(c.acc) < gw {
		c.acc = make([]int32, gw)
	}
	acc := c.acc[:gw]
	if g, ok := screen.(*image.Gray); ok && k == 1 {
		for y := 0; y < gh; y++ {
			off := g.PixOffset(b.Min.X, b.Min.Y+y)
			copy(src[y*gw:(y+1)*gw], g.Pix[off:off+gw])
		}
		return src, gw, gh
	}
	lum := lumaFunc(screen)
	kk := int32(k * k)
	for gy := 0; gy < gh; gy++ {
		clear(acc)
		for yy := 0; yy < k; yy++ {
			y := b.Min.Y + gy*k + yy
			if y >= b.Max.Y {
				y = b.Max.Y - 1
			}
			for gx := 0; gx < gw; gx++ {
				var s int32
				for xx := 0; xx < k; xx++ {
					x := b.Min.X + gx*k + xx
					if x >= b.Max.X {
						x = b.Max.X - 1
					}
					s += int32(lum(x, y))
				}
				acc[gx] += s
			}
		}
		row := src[gy*gw : (gy+1)*gw]
		for gx := range row {
			row[gx] = uint8((acc[gx] + kk/2) / kk)
		}
	}
	return src, gw, gh
}

// lumaFunc returns a fast reader of the grey level of img's pixels.
func lumaFunc(img image.Image) func(x, y int) uint8 {
	switch m := img.(type) {
	case *image.Gray:
		return func(x, y int) uint8 { return m.Pix[m.PixOffset(x, y)] }
	case *image.Paletted:
		lut := make([]uint8, 256)
		for i, col := range m.Palette {
			lut[i] = lumaOf(col.RGBA())
		}
		return func(x, y int) uint8 { return lut[m.Pix[m.PixOffset(x, y)]] }
	case *image.RGBA:
		return func(x, y int) uint8 {
			i := m.PixOffset(x, y)
			return uint8((19595*uint32(m.Pix[i]) + 38470*uint32(m.Pix[i+1]) + 7471*uint32(m.Pix[i+2]) + 1<<15) >> 16)
		}
	case *image.NRGBA:
		return func(x, y int) uint8 {
			i := m.PixOffset(x, y)
			l := (19595*uint32(m.Pix[i]) + 38470*uint32(m.Pix[i+1]) + 7471*uint32(m.Pix[i+2]) + 1<<15) >> 16
			a := uint32(m.Pix[i+3])
			return uint8((l*a + 255*(255-a)) / 255) // over white, as a screen shows it
		}
	}
	return func(x, y int) uint8 { return lumaOf(img.At(x, y).RGBA()) }
}

// lumaOf is the grey level of a premultiplied colour shown over white.
func lumaOf(r, g, b, a uint32) uint8 {
	l := (19595*r + 38470*g + 7471*b + 1<<15) >> 16 // 0..65535
	l += 0xffff - a
	return uint8(min(l, 0xffff) >> 8)
}

// gaussian blurs the rectangle r of pix in place with a separable Gaussian
// of standard deviation sigma, in 16-bit fixed point. Pixels outside r are
// read (clamped at the picture's edges) but not changed.
func (c *Camera) gaussian(pix []uint8, W, H int, r image.Rectangle, sigma float64) {
	r = r.Intersect(image.Rect(0, 0, W, H))
	if r.Empty() {
		return
	}
	rad := int(math.Ceil(2.2 * sigma))
	ker := make([]int32, 2*rad+1)
	var sum float64
	fk := make([]float64, len(ker))
	for i := range fk {
		d := float64(i - rad)
		fk[i] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += fk[i]
	}
	var isum int32
	for i := range ker {
		ker[i] = int32(math.Round(fk[i] / sum * 65536))
		isum += ker[i]
	}
	ker[rad] += 65536 - isum
	rw, rh := r.Dx(), r.Dy()
	if cap(c.tmp) < rw*rh {
		c.tmp = make([]uint8, rw*rh)
	}
	tmp := c.tmp[:rw*rh]
	if cap(c.acc) < rw+2*rad {
		c.acc = make([]int32, rw+2*rad)
	}
	acc := c.acc[:rw]
	line := make([]int32, rw+2*rad)
	// horizontal: pix (rows of r, with rad pixels either side) -> tmp
	for y := r.Min.Y; y < r.Max.Y; y++ {
		in := pix[y*W : (y+1)*W]
		for i := range line {
			line[i] = int32(in[min(max(r.Min.X+i-rad, 0), W-1)])
		}
		k0 := ker[rad]
		mid := line[rad : rad+rw]
		for x, v := range mid {
			acc[x] = k0 * v
		}
		for i := 1; i <= rad; i++ {
			k := ker[rad+i]
			a, b := line[rad-i:rad-i+rw], line[rad+i:rad+i+rw]
			a, b = a[:len(acc)], b[:len(acc)]
			for x := range acc {
				acc[x] += k * (a[x] + b[x])
			}
		}
		o := tmp[(y-r.Min.Y)*rw : (y-r.Min.Y+1)*rw]
		for x, s := range acc {
			o[x] = uint8((s + 1<<15) >> 16)
		}
	}
	// vertical: tmp (and pix above and below r) -> pix
	rowAt := func(yy int) []uint8 {
		yy = min(max(yy, 0), H-1)
		if yy >= r.Min.Y && yy < r.Max.Y {
			return tmp[(yy-r.Min.Y)*rw : (yy-r.Min.Y+1)*rw]
		}
		return pix[yy*W+r.Min.X : yy*W+r.Max.X]
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		k0 := ker[rad]
		mid := rowAt(y)[:len(acc)]
		for x := range acc {
			acc[x] = k0 * int32(mid[x])
		}
		for i := 1; i <= rad; i++ {
			k := ker[rad+i]
			a, b := rowAt(y - i)[:len(acc)], rowAt(y + i)[:len(acc)]
			for x := range acc {
				acc[x] += k * (int32(a[x]) + int32(b[x]))
			}
		}
		o := pix[y*W+r.Min.X : y*W+r.Max.X]
		o = o[:len(acc)]
		for x, s := range acc {
			o[x] = uint8((s + 1<<15) >> 16)
		}
	}
}

// motion smears pix along x or y with a box of length n.
func (c *Camera) motion(pix []uint8, W, H, n int, vertical bool) {
	if cap(c.tmp) < len(pix) {
		c.tmp = make([]uint8, len(pix))
	}
	line := make([]int32, max(W, H))
	buf := make([]uint8, max(W, H))
	stride, count, lines := 1, W, H
	if vertical {
		stride, count, lines = W, H, W
	}
	for l := 0; l < lines; l++ {
		base := l * W
		if vertical {
			base = l
		}
		for i := 0; i < count; i++ {
			buf[i] = pix[base+i*stride]
		}
		var s int32
		for i := 0; i < count; i++ {
			s += int32(buf[i])
			if i >= n {
				s -= int32(buf[i-n])
			}
			line[i] = s / int32(min(i+1, n))
		}
		for i := 0; i < count; i++ {
			pix[base+i*stride] = uint8(line[i])
		}
	}
}

// addNoise adds Gaussian sensor noise from the table.
func (c *Camera) addNoise(pix []uint8) {
	st := c.rng.Uint64() | 1
	tab := c.noise
	const mask = 1<<noiseTableBits - 1
	for i := 0; i+4 <= len(pix); i += 4 {
		st ^= st << 13
		st ^= st >> 7
		st ^= st << 17
		for j := 0; j < 4; j++ {
			n := int32(tab[(st>>(16*j))&mask])
			v := int32(pix[i+j])*16 + n + 8
			pix[i+j] = uint8(min(max(v>>4, 0), 255))
		}
	}
}

// 3x3 matrices, row major.

func mul3(a, b [9]float64) [9]float64 {
	var m [9]float64
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			m[3*i+j] = a[3*i]*b[j] + a[3*i+1]*b[3+j] + a[3*i+2]*b[6+j]
		}
	}
	return m
}

func rotZ(a float64) [9]float64 {
	s, c := math.Sin(a), math.Cos(a)
	return [9]float64{c, -s, 0, s, c, 0, 0, 0, 1}
}

// rodrigues is the rotation by angle a about the unit axis (x, y, 0).
func rodrigues(x, y, a float64) [9]float64 {
	s, c := math.Sin(a), math.Cos(a)
	t := 1 - c
	return [9]float64{
		t*x*x + c, t * x * y, s * y,
		t * x * y, t*y*y + c, -s * x,
		-s * y, s * x, c,
	}
}

func inv3(m [9]float64) [9]float64 {
	a, b, c := m[0], m[1], m[2]
	d, e, f := m[3], m[4], m[5]
	g, h, i := m[6], m[7], m[8]
	A, B, C := e*i-f*h, -(d*i - f*g), d*h-e*g
	det := a*A + b*B + c*C
	return [9]float64{
		A / det, -(b*i - c*h) / det, (b*f - c*e) / det,
		B / det, (a*i - c*g) / det, -(a*f - c*d) / det,
		C / det, -(a*h - b*g) / det, (a*e - b*d) / det,
	}
}
