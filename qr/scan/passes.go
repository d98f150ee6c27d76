package scan

// pass is one attempt at reading a picture: a transform of the grey
// picture, then the QR reader with a binarizer.
type pass struct {
	name string
	run  func(g gray) (string, bool)
}

// hybrid, global and pure read g as it is.
func hybrid(g gray) (string, bool) { return decode(g, false, false) }
func global(g gray) (string, bool) { return decode(g, true, false) }
func pure(g gray) (string, bool)   { return decode(g, false, true) }

// defaultPasses is the order Scan tries, cheapest and most useful first
// (measured on camsim frames: TestPassOrder prints what each pass adds).
var defaultPasses = []pass{
	{"hybrid", hybrid},
	{"half", func(g gray) (string, bool) {
		if g.w < 400 || g.h < 400 {
			return "", false
		}
		return hybrid(shrink(g, 2))
	}},
	{"two-thirds", func(g gray) (string, bool) {
		if g.w < 300 || g.h < 300 {
			return "", false
		}
		return hybrid(resize(g, g.w*2/3, g.h*2/3))
	}},
	{"global", global},
	{"stretch", func(g gray) (string, bool) { return hybrid(stretch(g)) }},
	{"sharpen", func(g gray) (string, bool) { return hybrid(sharpen(g)) }},
	{"upscale", func(g gray) (string, bool) {
		if g.w >= 600 && g.h >= 600 {
			return "", false
		}
		f := 2
		if g.w < 200 || g.h < 200 {
			f = 3
		}
		return hybrid(resize(g, g.w*f, g.h*f))
	}},
	{"pure", pure},
	{"crop", func(g gray) (string, bool) {
		return hybrid(crop(g, g.w/6, g.h/8, g.w*5/6, g.h*7/8))
	}},
	{"invert", func(g gray) (string, bool) { return hybrid(invert(g)) }},
}

// shrink averages f x f blocks.
func shrink(g gray, f int) gray {
	w, h := g.w/f, g.h/f
	o := gray{pix: make([]uint8, w*h), w: w, h: h}
	n := uint32(f * f)
	acc := make([]uint32, w)
	for y := 0; y < h; y++ {
		clear(acc)
		for yy := 0; yy < f; yy++ {
			in := g.pix[(y*f+yy)*g.w : (y*f+yy+1)*g.w]
			for x := range acc {
				for xx := 0; xx < f; xx++ {
					acc[x] += uint32(in[x*f+xx])
				}
			}
		}
		row := o.pix[y*w : (y+1)*w]
		for x, s := range acc {
			row[x] = uint8((s + n/2) / n)
		}
	}
	return o
}

// resize scales g to w x h with bilinear sampling (fine for the factors
// used: 2/3, 2 and 3).
func resize(g gray, w, h int) gray {
	o := gray{pix: make([]uint8, w*h), w: w, h: h}
	sx := float64(g.w) / float64(w)
	sy := float64(g.h) / float64(h)
	x0 := make([]int, w)
	fx := make([]int32, w)
	for x := range x0 {
		u := (float64(x)+0.5)*sx - 0.5
		u = max(0, min(u, float64(g.w-1)))
		x0[x] = int(u)
		fx[x] = int32((u - float64(x0[x])) * 256)
	}
	for y := 0; y < h; y++ {
		v := (float64(y)+0.5)*sy - 0.5
		v = max(0, min(v, float64(g.h-1)))
		y0 := int(v)
		fy := int32((v - float64(y0)) * 256)
		y1 := min(y0+1, g.h-1)
		r0, r1 := g.pix[y0*g.w:(y0+1)*g.w], g.pix[y1*g.w:(y1+1)*g.w]
		row := o.pix[y*w : (y+1)*w]
		for x := range row {
			a := x0[x]
			b := min(a+1, g.w-1)
			t := int32(r0[a])*(256-fx[x]) + int32(r0[b])*fx[x]
			u := int32(r1[a])*(256-fx[x]) + int32(r1[b])*fx[x]
			row[x] = uint8((t*(256-fy) + u*fy + 1<<15) >> 16)
		}
	}
	return o
}

// stretch maps the 1st percentile of g's levels to black and the 99th to
// white, so that a dim or washed-out picture has the dynamic range the
// hybrid binarizer needs.
func stretch(g gray) gray {
	var hist [256]int
	for _, v := range g.pix {
		hist[v]++
	}
	n := len(g.pix)
	lo, hi := 0, 255
	for c := 0; lo < 255; lo++ {
		if c += hist[lo]; c > n/100 {
			break
		}
	}
	for c := 0; hi > 0; hi-- {
		if c += hist[hi]; c > n/100 {
			break
		}
	}
	if hi <= lo {
		return g
	}
	var lut [256]uint8
	for i := range lut {
		v := (i - lo) * 255 / (hi - lo)
		lut[i] = uint8(max(0, min(v, 255)))
	}
	o := gray{pix: make([]uint8, n), w: g.w, h: g.h}
	for i, v := range g.pix {
		o.pix[i] = lut[v]
	}
	return o
}

// sharpen is an unsharp mask (the picture plus the difference from its
// 3x3 mean), which steepens the edges of a slightly defocused code.
func sharpen(g gray) gray {
	o := gray{pix: make([]uint8, len(g.pix)), w: g.w, h: g.h}
	copy(o.pix, g.pix)
	w := g.w
	for y := 1; y < g.h-1; y++ {
		up, mid, dn := g.pix[(y-1)*w:y*w], g.pix[y*w:(y+1)*w], g.pix[(y+1)*w:(y+2)*w]
		row := o.pix[y*w : (y+1)*w]
		for x := 1; x < w-1; x++ {
			s := int(up[x-1]) + int(up[x]) + int(up[x+1]) + int(mid[x-1]) + int(mid[x+1]) + int(dn[x-1]) + int(dn[x]) + int(dn[x+1])
			c := int(mid[x])
			// c + 1.0*(c - mean9), mean9 = (s+c)/9
			v := c + (8*c-s)/9
			row[x] = uint8(max(0, min(v, 255)))
		}
	}
	return o
}

// crop returns the rectangle [x0,x1) x [y0,y1) of g.
func crop(g gray, x0, y0, x1, y1 int) gray {
	w, h := x1-x0, y1-y0
	o := gray{pix: make([]uint8, w*h), w: w, h: h}
	for y := 0; y < h; y++ {
		copy(o.pix[y*w:(y+1)*w], g.pix[(y0+y)*g.w+x0:(y0+y)*g.w+x1])
	}
	return o
}

// invert swaps black and white, for light modules on a dark background.
func invert(g gray) gray {
	o := gray{pix: make([]uint8, len(g.pix)), w: g.w, h: g.h}
	for i, v := range g.pix {
		o.pix[i] = 255 - v
	}
	return o
}
